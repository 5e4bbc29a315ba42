"""Is this name a credential, and is this literal a secret? Shared by SEC006 and AUTH006.

The name rule (catalogue, SEC006): a name means a credential when its last word (split on
``_``, ``-``, ``.`` and camelCase) is ``password``/``passwd``/``pwd``/``secret``/``token``/
``credential(s)``, or when it ends in ``api_key``/``apikey``/``secret_key``/``private_key``/
``access_key``/``signing_key``. A name whose last word is a non-secret noun (``token_url``,
``password_field``, ``API_KEY_HEADER``) is not, and neither are pagination and protocol
tokens (``page_token``, ``next_token``, ``csrf_token`` ...).
"""

from __future__ import annotations

import re
from functools import lru_cache

from reviewlint.knowledge import security

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def words(name: str) -> list[str]:
    """``STRIPE_API_KEY`` → [stripe, api, key]; ``accessToken`` → [access, token]."""
    out: list[str] = []
    for part in re.split(r"[_\-.\s]+", name):
        if not part:
            continue
        out.extend(w.lower() for w in _CAMEL.findall(part))
    return out


@lru_cache(maxsize=4096)
def is_credential_name(name: str | None) -> bool:
    """True when ``name`` (a variable, attribute, keyword, dict key or query parameter) names a credential."""
    if not name:
        return False
    parts = words(name)
    if not parts:
        return False
    last = parts[-1]
    joined = "_".join(parts)
    if last in security.CREDENTIAL_LAST_WORDS:
        # pagination and protocol tokens are not secrets
        if last == "token" and len(parts) >= 2:
            if joined in security.NON_SECRET_TOKEN_NAMES or parts[-2] in security.NON_SECRET_TOKEN_QUALIFIERS:
                return False
        return True
    for suffix in security.CREDENTIAL_SUFFIXES:
        if joined == suffix or joined.endswith("_" + suffix):
            return True
    # ``apikey``/``secretkey`` written as one word
    compact = "".join(parts)
    return any(compact.endswith(s) for s in security.CREDENTIAL_COMPACT_SUFFIXES)


_IDENTIFIER_LIKE = re.compile(r"^_*[A-Za-z][A-Za-z0-9]*(?:[_\-.:][A-Za-z0-9]+)*$")
_REGEX_LIKE = re.compile(r"\[[^\]]*\]|\(\?|\\[dwsbDWSB]|[^\\][+*]\)?$|^\^|\$$")
_PLACEHOLDER_RE = re.compile(
    r"""^(?:
        <[^<>]*>                      # <your-key>
      | \{\{.*\}\} | \$\{[^}]*\} | \$[A-Z_][A-Z0-9_]*   # {{ var }}, ${VAR}, $VAR
      | %\([^)]*\)s | \{[A-Za-z_0-9]*\}                 # %(password)s, {password}
      | (.)\1+                        # xxx, ****, ----
      | \.\.\.+ | …
      | (?:your|my|enter|insert|put|replace|add)[-_ ].*   # your-api-key, replace_me
      | .*(?:_here|-here|\ here)      # key_here
      | (?:none|null|nil|undefined|n/?a|tbd|todo|fixme|placeholder|redacted|hidden|masked|
           dummy|example|sample|fake|test|testing|string|text|value|foo|bar|baz|xyz|abc|
           secret|password|token|key|api[-_]?key|replace[-_]?me|fill[-_]?me|not[-_]?set|unset|empty|
           default|required|optional|sk-\.\.\.|
           unused|not[-_ ]?used|ignored|none[-_ ]?needed|not[-_ ]?needed|not[-_ ]?required|no[-_ ]?key|
           no[-_ ]?key[-_ ]?required|sk-no-key-required|no[-_ ]?auth|anonymous|bearer|basic|digest|jwt)
    )$""",
    re.IGNORECASE | re.VERBOSE,
)


def is_placeholder(value: str) -> bool:
    """An obviously fake value: ``"<your-key>"``, ``"xxx"``, ``"..."``, ``"${TOKEN}"``, ``"***"``.

    ``"changeme"`` is not a placeholder: it is a real (and terrible) password. The bare words
    ``secret``/``password``/``token`` are treated as labels, not values.
    """
    stripped = value.strip()
    if not stripped:
        return True
    if _PLACEHOLDER_RE.match(stripped):
        return True
    lowered = stripped.lower()
    if "example" in lowered or "xxxx" in lowered or "<" in stripped and ">" in stripped:
        return True
    if "..." in stripped or "…" in stripped:
        return True
    return False


def names_a_variable(value: str, name: str | None = None) -> bool:
    """The value names a setting rather than holding it: ``SECRET_KEY_ENV = "SECRET_KEY"``.

    True for environment-variable-like constants (``"API_TOKEN"``), for the name itself
    (``password = "password"`` used as a field name) and for dotted/kebab identifiers that
    repeat a credential word (``"auth.token"``, ``"x-api-key"``).
    """
    v = value.strip()
    if re.fullmatch(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+", v):
        return True  # ENV_VAR_NAME
    if name is not None and words(v) and words(v) == words(name):
        return True
    if _IDENTIFIER_LIKE.match(v) and is_credential_name(v) and not any(ch.isdigit() for ch in v):
        return True  # "access_token", "x-api-key", "authToken": a key, not a value
    return False


def looks_like_text(value: str) -> bool:
    """Prose, a URL, a path or a template: not a secret value."""
    v = value.strip()
    if re.search(r"\s", v):
        return True
    if re.match(r"^[a-z][a-z0-9+.-]*://", v, re.IGNORECASE) and "@" not in v:
        return True
    if v.startswith(("/", "./", "../", "~/")):
        return True
    if v.startswith(("%(", "{")) or "{}" in v or "%s" in v:
        return True
    if _REGEX_LIKE.search(v) and any(ch in v for ch in "[]()^$\\"):
        return True  # a regular expression (an HTTP "token" grammar, a validator)
    return False


def known_credential_format(value: str) -> str | None:
    """The kind of well-known credential the literal is (AWS key id, GitHub/Slack token, PEM key)."""
    if len(value) < 16:
        return None
    for kind, pattern in security.CREDENTIAL_FORMATS:
        match = pattern.search(value)
        if match and not is_placeholder(match.group(0)) and "EXAMPLE" not in match.group(0).upper():
            return kind
    return None


#: what a credential name holds: a value someone *issued* (an API key, an access token: long and
#: random by construction) or one the owner *chose* (a password, a signing secret: any string)
ISSUED = "issued"
CHOSEN = "chosen"
_CHOSEN_LAST_WORDS = frozenset({"password", "passwd", "pwd", "secret"})
_CHOSEN_SUFFIXES = ("secret_key", "signing_key", "private_key", "secretkey", "signingkey", "privatekey")


def credential_kind(name: str) -> str:
    """:data:`CHOSEN` for passwords and signing secrets, :data:`ISSUED` for keys and tokens."""
    parts = words(name)
    if not parts:
        return CHOSEN
    joined = "_".join(parts)
    if parts[-1] in _CHOSEN_LAST_WORDS or joined.endswith(_CHOSEN_SUFFIXES) or "".join(parts).endswith(_CHOSEN_SUFFIXES):
        return CHOSEN
    return ISSUED


# one identifier part: ``vpv1``, ``eChargeToday``, ``bmsSOC``, ``pPv1``: lower-case letters, then
# capitalised words or short acronyms, each with at most two trailing digits
_IDENT_PART = re.compile(r"^[a-z]*[0-9]{0,2}(?:(?:[A-Z][a-z]+|[A-Z]{1,5})[0-9]{0,2})*$")


def looks_like_identifier(value: str) -> bool:
    """A field or key name (``eChargeToday``, ``etouser_combined``, ``vpv1``), not random key material.

    Random keys mix case and digits inside words (``k6QaiQmcTm2z``), have long digit or
    upper-case runs, or many digit groups; identifiers are lower/camel/snake case words.
    """
    v = value.strip()
    if not v or len(v) > 48 or not v[0].isalpha() or v.startswith("eyJ"):  # eyJ: base64 of '{"', a JWT
        return False
    parts = re.split(r"[_\-.]", v)
    if not all(parts) or not all(_IDENT_PART.match(p) for p in parts):
        return False
    if len(re.findall(r"[0-9]+", v)) > 2 or re.search(r"[A-Z]{6,}", v):
        return False
    return True


def _low_diversity(value: str) -> bool:
    """``"00000000000000000000000000000001"``, ``"sk-0000000000000000000"``: one character makes
    most of the value; a filler, not key material."""
    v = value.strip()
    if len(v) < 8:
        return False
    most = max(v.count(ch) for ch in set(v))
    return most * 10 >= len(v) * 6


def is_secret_value(value: str, name: str | None = None) -> bool:
    """Could this literal, stored under a credential name, be a real secret?

    Besides the checks of the value alone (placeholders, variable names, prose), the kind of
    credential matters: an issued key or token is long and random, so a short value or a field
    name (``api_key="vpv1"``, ``api_key="eChargeToday"``) under such a name is not one. A chosen
    password or signing secret can be any word (``SECRET_KEY = "dev"`` is a finding).
    """
    if not value or not value.strip():
        return False
    if value.strip().lower() in security.WEAK_PASSWORDS:
        return True  # "changeme", "password", "admin": a real (and guessable) secret
    if is_placeholder(value):
        return False
    if names_a_variable(value, name):
        return False
    if looks_like_text(value):
        return False
    if _low_diversity(value):
        return False
    identifier = looks_like_identifier(value)
    if identifier and any(w in security.CREDENTIAL_LAST_WORDS or w == "key" for w in words(value)):
        return False  # "token_value", "oauth2_jwt_secret": the name of a key, not its value
    if name is not None and credential_kind(name) == ISSUED and (len(value.strip()) < 8 or identifier):
        return False
    return True
