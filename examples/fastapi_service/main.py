"""The FastAPI application: routers are mounted here, the admin router behind require_admin."""

from fastapi import Depends, FastAPI

from .deps import require_admin
from .routers import admin, items

app = FastAPI()
app.include_router(items.router, prefix="/items")
app.include_router(admin.router, prefix="/admin", dependencies=[Depends(require_admin)])


@app.get("/healthz")
def health():
    return {"status": "ok"}


@app.get("/docs/changelog")
def changelog():  # expect: AUTH001
    return {"changes": []}
