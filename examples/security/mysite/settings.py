"""Production settings for mysite."""

import os

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = True  # expect: SEC007
ALLOWED_HOSTS = ["shop.example.com"]
ROOT_URLCONF = "mysite.urls"
