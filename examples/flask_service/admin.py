"""Admin views: protected by the before_request hook in hooks.py."""

from flask import Blueprint, jsonify

admin_bp = Blueprint("admin", __name__, url_prefix="/admin")


@admin_bp.get("/users")
def list_users():
    return jsonify([])


@admin_bp.delete("/users/<int:user_id>")
def delete_user(user_id):
    return jsonify({"deleted": user_id})
