"""A small FastAPI service: an app, routers, auth dependencies in deps.py."""
