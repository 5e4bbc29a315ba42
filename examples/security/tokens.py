"""Session tokens for the mobile API, signed with PyJWT 2.x."""

import jwt

from accounts.conf import settings

SIGNING = "mobile-signing-material-2024"


def issue(user_id):
    return jwt.encode({"sub": str(user_id)}, "dev-secret-do-not-use", algorithm="HS256")  # expect: AUTH005


def issue_legacy(user_id):
    return jwt.encode({"sub": str(user_id)}, SIGNING, algorithm="HS256")  # expect: AUTH005


def user_from_token(token):
    claims = jwt.decode(token, options={"verify_signature": False})  # expect: AUTH003
    return claims["sub"]


def user_from_legacy_token(token):
    return jwt.decode(token, verify=False)["sub"]  # expect: AUTH003


def claims_any_algorithm(token, key):
    alg = jwt.get_unverified_header(token)["alg"]
    return jwt.decode(token, key, algorithms=[alg])  # expect: AUTH004


def claims_without_expiry(token):
    return jwt.decode(token, settings.JWT_PUBLIC_KEY, algorithms=["RS256", "HS256"],  # expect: AUTH004
                      options={"verify_exp": False})


def verified_claims(token, keys):
    kid = jwt.get_unverified_header(token)["kid"]
    return jwt.decode(token, keys[kid], algorithms=["RS256"], audience="mobile-api")


def claims_for_issuer(token, keys_by_issuer):
    unverified = jwt.decode(token, options={"verify_signature": False})
    key = keys_by_issuer[unverified["iss"]]
    return jwt.decode(token, key, algorithms=["RS256"], audience="mobile-api")


def issue_with_settings_key(user_id):
    return jwt.encode({"sub": str(user_id)}, settings.JWT_PRIVATE_KEY, algorithm="RS256")
