"""A small status page for the warehouse, run with a WSGI server in production."""

import uvicorn
from flask import Flask

app = Flask(__name__)


@app.get("/healthz")
def health():
    return {"ok": True}


def serve_for_demo():
    app.run(host="0.0.0.0", port=8080, debug=True)  # expect: SEC007


def serve_api():
    uvicorn.run("warehouse.api:app", host="0.0.0.0", reload=True)  # expect: SEC007


if __name__ == "__main__":
    app.run(debug=True)
