"""The Flask application: blueprints are registered here."""

from flask import Flask
from flask_login import login_required

from .admin import admin_bp
from .api import api_bp

app = Flask(__name__)
app.register_blueprint(admin_bp)
app.register_blueprint(api_bp, url_prefix="/api")


@app.get("/healthz")
def health():
    return {"status": "ok"}


@app.post("/webhooks/payments")
def payment_webhook():  # expect: AUTH001
    return {"received": True}


@login_required  # expect: AUTH002
@app.route("/account/settings")
def account_settings():
    return {"theme": "dark"}


@app.route("/account/profile")
@login_required
def account_profile():
    return {"name": "me"}
