"""Public API views, registered under /api."""

import os
import sqlite3
from urllib.parse import urlparse

from flask import Blueprint, abort, redirect, request, send_file
from flask.views import MethodView
from flask_login import login_required
from werkzeug.utils import secure_filename

api_bp = Blueprint("api", __name__)
FILES = "/srv/files"
ALLOWED_HOSTS = {"shop.example.com"}


@api_bp.get("/orders/<int:order_id>")
@login_required
def order(order_id):
    db = sqlite3.connect("shop.db")
    return {"order": db.execute("SELECT id, total FROM orders WHERE id = ?", (order_id,)).fetchone()}


@api_bp.get("/orders/export")
def export_orders():  # expect: AUTH001
    return {"orders": []}


@api_bp.get("/files/<name>")
@login_required
def download(name):
    return send_file(os.path.join(FILES, name))  # expect: SEC005


@api_bp.get("/files/safe/<name>")
@login_required
def download_safe(name):
    return send_file(os.path.join(FILES, secure_filename(name)))


@api_bp.get("/continue")
@login_required
def continue_to():
    target = request.args.get("next", "/")
    if urlparse(target).netloc not in ALLOWED_HOSTS:
        abort(400)
    return redirect(target)


@api_bp.get("/bounce")
@login_required
def bounce():
    return redirect(request.args["to"])  # expect: SEC005


class ReportView(MethodView):
    decorators = [login_required]

    def get(self):
        return {"reports": []}


api_bp.add_url_rule("/reports", view_func=ReportView.as_view("reports"))
