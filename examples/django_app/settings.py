"""Django settings: no LoginRequiredMiddleware, DRF requires authentication by default."""

import os

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ROOT_URLCONF = "django_app.urls"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
