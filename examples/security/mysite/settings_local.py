"""Settings for a developer's machine: debug on is the point."""

from mysite.settings import *  # noqa: F401,F403

DEBUG = True
ALLOWED_HOSTS = ["localhost"]
