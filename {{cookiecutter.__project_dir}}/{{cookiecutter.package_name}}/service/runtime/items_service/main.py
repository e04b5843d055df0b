"""HTTP endpoints: the load balancer's health check, the items of the calling user and the
recommendations AppSync's HTTP resolver asks for on that user's behalf."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from items_service import jsonlog
from items_service.identity import Caller, UserPoolTokens, caller
from items_service.store import ItemStore

LOG = logging.getLogger("items_service")
MAX_RECOMMENDATIONS = 50  # the resolver's own cap (api/resolvers/recommendations.js)


class ItemInput(BaseModel):
    """The body API Gateway already validated against its ItemInput model; checked again here.
    The fields of the GraphQL API's CreateItemInput: both tiers write the same item."""

    # Strict like the model: a price given as a string is refused, not converted.
    model_config = ConfigDict(extra="forbid", strict=True)
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    price: float = Field(ge=0)


def recommend(items: list[dict], limit: int) -> list[dict]:
    """The caller's most recently changed items first, scored 1, 1/2, 1/3, ... by that rank."""
    newest_first = sorted(items, key=lambda item: (item["updatedAt"], item["id"]), reverse=True)
    return [
        {"itemId": item["id"], "score": round(1 / rank, 4), "reason": f"recently changed: {item['name']}"}
        for rank, item in enumerate(newest_first[:limit], start=1)
    ]


def _store(request: Request) -> ItemStore:
    return request.app.state.store


Store = Annotated[ItemStore, Depends(_store)]
Identity = Annotated[Caller, Depends(caller)]


def create_app(store: ItemStore | None = None, tokens: UserPoolTokens | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = store or ItemStore.from_environment()
        app.state.tokens = tokens or UserPoolTokens.from_environment(os.environ)
        LOG.info("service started")
        yield
        LOG.info("service stopped")

    # No OpenAPI document, and so no documentation pages: the routes answer signed callers only.
    app = FastAPI(lifespan=lifespan, openapi_url=None)

    @app.middleware("http")
    async def access_log(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        if request.url.path != "/health":
            LOG.info(
                f"{request.method} {request.url.path} {response.status_code}",
                extra={
                    "request_id": request.headers.get("x-request-id"),
                    "method": request.method,
                    "path": request.url.path,
                    "status": response.status_code,
                    "latency_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": request.scope.get("state", {}).get("user_id"),
                },
            )
        return response

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/recommendations")
    def recommendations(
        store: Store, who: Identity, limit: Annotated[int, Query(ge=1, le=MAX_RECOMMENDATIONS)] = 10
    ) -> dict[str, list[dict]]:
        return {"recommendations": recommend(store.list(who.owner), limit)}

    @app.get("/items")
    def list_items(store: Store, who: Identity) -> dict[str, list[dict]]:
        return {"items": store.list(who.owner)}

    @app.post("/items", status_code=201)
    def create_item(body: ItemInput, store: Store, who: Identity) -> dict:
        return store.create(who.owner, name=body.name, description=body.description, price=body.price)

    @app.get("/items/{item_id}")
    def get_item(item_id: str, store: Store, who: Identity) -> dict:
        item = store.get(who.owner, item_id)
        if item is None:
            raise HTTPException(status_code=404, detail="no such item")
        return item

    @app.put("/items/{item_id}")
    def update_item(item_id: str, body: ItemInput, store: Store, who: Identity) -> dict:
        item = store.update(who.owner, item_id, name=body.name, description=body.description, price=body.price)
        if item is None:
            raise HTTPException(status_code=404, detail="no such item")
        return item

    @app.delete("/items/{item_id}", status_code=204)
    def delete_item(item_id: str, store: Store, who: Identity) -> Response:
        if not store.delete(who.owner, item_id):
            raise HTTPException(status_code=404, detail="no such item")
        return Response(status_code=204)

    return app


def configure_logging() -> None:
    jsonlog.configure(os.environ.get("LOG_LEVEL", "INFO"))
