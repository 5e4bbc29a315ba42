"""Service configuration: what may, and what may not, be written into the source."""

import os

# credentials: read from the environment
DATABASE_PASSWORD = os.environ["DATABASE_PASSWORD"]
STRIPE_API_KEY = os.environ.get("STRIPE_API_KEY")

# hard-coded secrets
SMTP_PASSWORD = "Wint3r-is-coming!"  # expect: SEC006
ADMIN_TOKEN = "changeme"  # expect: SEC006
DEPLOY_KEY_ID = "AKIAZ7QRSTUVWXYZ1234"  # expect: SEC006

# names that merely contain a credential word, and values that are not secrets
TOKEN_URL = "/oauth/token"
PASSWORD_FIELD = "password"
API_KEY_HEADER = "X-Api-Key"
SECRET_KEY_ENV = "SECRET_KEY"
TOKEN_TYPE = "bearer"
LDAP_BIND_PASSWORD = ""
SENTRY_TOKEN = "<your-sentry-token>"


class MailerConfig:
    def __init__(self, host, username, password="s3cr3t-mail-pw"):  # expect: SEC006
        self.host = host
        self.username = username
        self.password = password


def connect_cache(redis_factory, host):
    return redis_factory(host=host, port=6379, password="r3d1s-pa55")  # expect: SEC006


def page_request(next_page_token="CAoQAA"):
    return {"next_page_token": next_page_token, "page_size": 50}
