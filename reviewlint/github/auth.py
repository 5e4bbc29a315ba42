"""Credentials: a token (``--token`` / ``$GITHUB_TOKEN``) or a GitHub App.

GitHub App flow: sign an RS256 JWT with the App's private key (``iat`` 60 s in the past
against clock drift, ``exp`` 9 minutes ahead — GitHub refuses more than 10 — and ``iss`` the
App's client id or numeric id *as a string*), find the App's installation on the repository,
and exchange the JWT for an installation token scoped to that repository.

Every secret handled here is registered with :class:`Secrets` so that whatever the command
prints or logs can be redacted as a last line of defence; nothing here formats a secret into
a message in the first place.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from reviewlint.github.client import GitHubClient, GitHubError

JWT_BACKDATE_SECONDS = 60
JWT_LIFETIME_SECONDS = 540  # 9 minutes: GitHub's maximum is 10


class AuthError(Exception):
    """Credentials missing or unusable.

    ``kind``: no-credentials, incomplete-app, invalid-key, bad-credentials, not-installed.
    """

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


@dataclass
class Secrets:
    """The secret strings of this run, to redact from anything printed or logged."""

    values: set[str] = field(default_factory=set)

    def add(self, value: str | None) -> None:
        if value:
            self.values.add(value)
            # a PEM key may be printed line by line: register every substantial line too
            for line in value.splitlines():
                if len(line.strip()) >= 16 and "-----" not in line:
                    self.values.add(line.strip())

    def redact(self, text: str) -> str:
        for value in sorted(self.values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, "***")
        return text


class RedactingFilter(logging.Filter):
    """A logging filter that masks registered secrets in every record it sees."""

    def __init__(self, secrets: Secrets) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.secrets.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def load_private_key(pem: str | bytes) -> rsa.RSAPrivateKey:
    """Parse a PEM RSA private key; a broken key is an AuthError that never quotes the key."""
    data = pem.encode() if isinstance(pem, str) else pem
    data = data.replace(b"\\n", b"\n").strip() + b"\n"  # keys pasted into env vars with literal \n
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise AuthError("invalid-key", "the GitHub App private key is not a valid unencrypted PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise AuthError("invalid-key", "the GitHub App private key is not an RSA key (GitHub Apps sign with RS256)")
    return key


def app_jwt(app_id: str | int, private_key: str | bytes, *, now: Callable[[], float] = time.time) -> str:
    """An RS256 JWT that authenticates as the App for at most ten minutes."""
    key = load_private_key(private_key)
    issued = int(now())
    claims = {"iat": issued - JWT_BACKDATE_SECONDS, "exp": issued + JWT_LIFETIME_SECONDS, "iss": str(app_id)}
    return jwt.encode(claims, key, algorithm="RS256")


def installation_token(client: GitHubClient, app_token: str, repo: str) -> str:
    """Find the App's installation on ``repo`` and exchange the App JWT for an installation token."""
    try:
        installation = client.get(f"/repos/{repo}/installation", token=app_token)
    except GitHubError as exc:
        if exc.status == 401:
            raise AuthError("bad-credentials", "GitHub rejected the App JWT (401): check the App id and that the private key belongs to this App") from None
        if exc.status == 404:
            raise AuthError("not-installed", f"the GitHub App is not installed on {repo} (404)") from None
        raise
    installation_id = installation.get("id") if isinstance(installation, Mapping) else None
    if not installation_id:
        raise AuthError("not-installed", f"GitHub returned no installation of the App for {repo}")
    name = repo.split("/", 1)[-1]
    try:
        answer = client.post(f"/app/installations/{installation_id}/access_tokens", {"repositories": [name]}, token=app_token)
    except GitHubError as exc:
        if exc.status in (401, 403, 404, 422):
            raise AuthError("bad-credentials", f"GitHub refused an installation token for {repo} ({exc.status} {exc.message})") from None
        raise
    token = answer.get("token") if isinstance(answer, Mapping) else None
    if not token:
        raise AuthError("bad-credentials", "GitHub's installation-token answer held no token")
    return str(token)


@dataclass
class Credentials:
    token: str | None = None
    app_id: str | None = None
    private_key: str | None = None

    @property
    def is_app(self) -> bool:
        return bool(self.app_id and self.private_key)


def resolve_credentials(*, token: str | None, app_id: str | None, private_key: str | None,
                        private_key_file: str | None, env: Mapping[str, str], secrets: Secrets) -> Credentials:
    """Pick the credentials: an App when an id and a key are given, else a token.

    Sources, in order: options, then ``GITHUB_APP_ID``/``GITHUB_APP_CLIENT_ID`` with
    ``GITHUB_APP_PRIVATE_KEY`` (PEM text) or ``GITHUB_APP_PRIVATE_KEY_FILE``; ``GITHUB_TOKEN``.
    """
    app_id = app_id or env.get("GITHUB_APP_CLIENT_ID") or env.get("GITHUB_APP_ID") or None
    key_file = private_key_file or env.get("GITHUB_APP_PRIVATE_KEY_FILE") or None
    key = private_key or env.get("GITHUB_APP_PRIVATE_KEY") or None
    if key is None and key_file:
        try:
            with open(key_file, encoding="utf-8") as handle:
                key = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise AuthError("invalid-key", f"cannot read the GitHub App private key file {key_file}: {type(exc).__name__}") from None
    secrets.add(key)
    if app_id and key:
        return Credentials(app_id=str(app_id), private_key=key)
    if app_id or key:
        missing = "a private key (--private-key-file or $GITHUB_APP_PRIVATE_KEY)" if app_id else "an App id (--app-id or $GITHUB_APP_CLIENT_ID)"
        raise AuthError("incomplete-app", f"GitHub App authentication needs {missing}")
    token = token or env.get("GITHUB_TOKEN") or None
    secrets.add(token)
    if not token:
        raise AuthError("no-credentials", "no GitHub credentials: set $GITHUB_TOKEN (or --token), or a GitHub App id and private key")
    return Credentials(token=token)


def authenticate(client: GitHubClient, credentials: Credentials, repo: str, secrets: Secrets,
                 *, now: Callable[[], float] = time.time) -> None:
    """Give ``client`` the token to act with (an App's installation token is fetched here)."""
    if not credentials.is_app:
        client.set_token(credentials.token)
        return
    assert credentials.app_id is not None and credentials.private_key is not None
    app_token = app_jwt(credentials.app_id, credentials.private_key, now=now)
    secrets.add(app_token)
    token = installation_token(client, app_token, repo)
    secrets.add(token)
    client.set_token(token)
