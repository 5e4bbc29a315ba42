"""Admin operations: the whole router is mounted behind require_admin (see main.py)."""

from fastapi import APIRouter

router = APIRouter()


@router.post("/reindex")
def reindex():
    return {"started": True}


@router.delete("/cache/{key}")
def drop_cache(key: str):
    return {"dropped": key}
