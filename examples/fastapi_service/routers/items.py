"""Item operations."""

import httpx
from fastapi import APIRouter, Depends

from ..deps import CurrentUser, get_current_user, get_db
from ..settings import SEARCH_URL

router = APIRouter()
http = httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(retries=3))
search_api = httpx.AsyncClient(base_url=SEARCH_URL, transport=httpx.AsyncHTTPTransport(retries=3))


@router.get("/{item_id}")
def read_item(item_id: int, user: CurrentUser):
    return {"id": item_id, "owner": user["sub"]}


@router.put("/{item_id}")
def update_item(item_id: int, user: dict = Depends(get_current_user)):
    return {"id": item_id}


@router.delete("/{item_id}")
def delete_item(item_id: int, db=Depends(get_db)):  # expect: AUTH001
    return {"deleted": item_id}


@router.get("/preview/")
async def preview(url: str, user: CurrentUser):
    page = await http.get(url)  # expect: SEC005
    page.raise_for_status()
    return {"length": len(page.text)}


@router.get("/search/")
async def search(q: str, user: CurrentUser):
    page = await search_api.get("/v1/find", params={"q": q})
    page.raise_for_status()
    return page.json()
