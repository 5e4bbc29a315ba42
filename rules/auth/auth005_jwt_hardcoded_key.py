from __future__ import annotations

import libcst as cst

from reviewlint.analysis import credentials, jwt_calls, sinks
from reviewlint.analysis.calls import callee_text, string_value
from reviewlint.rule import Invalid, Rule, Severity, Valid, Viewpoint


class JwtHardcodedKey(Rule):
    """A JWT signed or verified with a key written into the source.

    ## What it does
    Flags `jwt.encode(payload, "literal", ...)` and `jwt.decode(token, "literal", ...)`
    (also `key="..."`, a local or module-level name bound only to a string literal, with or
    without an annotation (`KEY: Final = "..."`), and a parameter whose default is one
    (`def issue(uid, key="...")`), when the name is not itself a credential name: those
    assignments are SEC006's findings).

    Not flagged: keys read from settings, the environment or a key store; a decode that does
    not verify at all (AUTH003); empty strings and placeholders; test files.

    ## Why it matters
    Whoever has read the source (every developer, every clone, every leaked backup) can mint
    tokens for any user. A key in the code cannot be rotated without a deploy, and is the
    same in every environment.

    ## Example
    ```python
    import jwt

    def issue(user_id):
        return jwt.encode({"sub": user_id}, "s3cr3t-signing-key", algorithm="HS256")
    ```

    ## Use instead
    ```python
    import jwt
    from django.conf import settings

    def issue(user_id):
        return jwt.encode({"sub": user_id}, settings.JWT_SIGNING_KEY, algorithm="HS256")
    ```
    """

    code = "AUTH005"
    name = "jwt-hardcoded-key"
    viewpoint = Viewpoint.AUTH
    severity = Severity.ERROR
    skip_roles = frozenset({"example", "generated", "test"})
    peer_codes = frozenset({"S105", "S106", "B105", "B106"})
    message = "JWT key hard-coded in the source"

    valid = [
        "import jwt, os\n\ndef f(uid):\n    return jwt.encode({'sub': uid}, os.environ['JWT_KEY'], algorithm='HS256')\n",
        "import jwt\nfrom django.conf import settings\n\ndef f(t):\n    return jwt.decode(t, settings.SECRET_KEY, algorithms=['HS256'])\n",
        # SEC006 reports the credential-named assignment; not twice
        "import jwt\nJWT_SECRET = 'k3y-material'\n\ndef f(uid):\n    return jwt.encode({'sub': uid}, JWT_SECRET, algorithm='HS256')\n",
        # no verification at all is AUTH003's finding
        "import jwt\n\ndef f(t):\n    return jwt.decode(t, '', options={'verify_signature': False})\n",
        Valid("import jwt\n\ndef test_f():\n    assert jwt.encode({'a': 1}, 'test-key', algorithm='HS256')\n", path="tests/test_tokens.py"),
    ]
    invalid = [
        Invalid("import jwt\n\ndef f(uid):\n    return jwt.encode({'sub': uid}, 's3cr3t-signing-key', algorithm='HS256')\n",
                line=4, message="`jwt.encode()`"),
        Invalid("import jwt\n\ndef f(t):\n    return jwt.decode(t, key='s3cr3t', algorithms=['HS256'])\n", line=4, message="`jwt.decode()`"),
        Invalid("import jwt\nSIGNING = 'a1b2c3d4e5'\n\ndef f(uid):\n    return jwt.encode({'sub': uid}, SIGNING)\n", line=5, message="SIGNING"),
        # a module constant with an annotation, a default argument
        Invalid("import jwt\nfrom typing import Final\n\nKEY: Final = 'a1b2c3d4e5f6'\n\ndef f(uid):\n"
                "    return jwt.encode({'sub': uid}, KEY, algorithm='HS256')\n", line=7, message="`KEY`"),
        Invalid("import jwt\n\ndef issue(uid, key='k3y-material-42'):\n    return jwt.encode({'sub': uid}, key, algorithm='HS256')\n",
                line=4, message="the default of parameter `key`"),
    ]

    def visit_Assign(self, node: cst.Assign) -> None:
        jwt_calls.record_assignment(self.context, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        jwt_calls.record_assignment(self.context, node)

    def visit_Call(self, node: cst.Call) -> None:
        ctx = self.context
        jc = jwt_calls.jwt_call(ctx, node)
        if jc is None or jwt_calls.unverified_reason(ctx, jc) is not None:
            return
        key = jc.key
        if key is None:
            return
        via = None
        value = string_value(key)
        if value is None and isinstance(key, cst.Name) and not credentials.is_credential_name(key.value):
            binding = ctx.lookup(key.value)
            if binding is not None and isinstance(binding.origin, cst.Param):
                default = binding.origin.default
                value = string_value(default) if default is not None else None
                via = f"the default of parameter `{key.value}`"
            else:
                assigned = sinks.resolve(ctx, key.value)
                if assigned and all(string_value(v) is not None for v, _ in assigned):
                    value = string_value(assigned[-1][0])
                    via = f"`{key.value}`"
        if value is None or not value.strip() or credentials.is_placeholder(value):
            return
        where = f" (through {via})" if via else ""
        self.report(node, f"`{callee_text(node)}()` uses a string literal as its key{where}: anyone who has read the "
                          "code can mint tokens; load the key from settings, the environment or a key store")
