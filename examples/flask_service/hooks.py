"""Auth hooks, kept apart from the views they protect."""

from flask import abort, session

from .admin import admin_bp


@admin_bp.before_request
def require_admin():
    if not session.get("is_admin"):
        abort(403)
