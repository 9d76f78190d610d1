"""Who may call and how: the optional X-API-Key, GET and HEAD only, CORS origins from settings."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import FastAPI, Request, Security
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import APIKeyHeader
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api_readonly.errors import ApiError, error_response

API_KEY_HEADER = "X-API-Key"
# HEAD is GET without the body (safe, like GET); every other method answers 405.
ALLOWED_METHODS = ("GET", "HEAD")

_api_key = APIKeyHeader(name=API_KEY_HEADER, auto_error=False,
                        description="Required when the server has API keys configured")


class Unauthorized(ApiError):
    """No or a wrong API key while keys are configured (401)."""

    status = 401
    kind = "unauthorized"


def key_matches(given: str | None, keys: list[bytes]) -> bool:
    """True when *given* equals one of *keys* (constant-time per key)."""
    if given is None:
        return False
    candidate = given.encode("utf-8", "surrogateescape")
    return any(hmac.compare_digest(candidate, key) for key in keys)


async def require_api_key(request: Request,
                          key: Annotated[str | None, Security(_api_key)] = None) -> None:
    """Pass when no keys are configured or X-API-Key matches one. Raises Unauthorized."""
    keys: list[bytes] = request.app.state.api_keys
    if keys and not key_matches(key, keys):
        raise Unauthorized(f"{API_KEY_HEADER}: missing or not a valid API key", API_KEY_HEADER)


class GetOnly:
    """Answer 405 to every method but GET and HEAD, on every path (known or not), before routing.

    HEAD is routed as GET (the routes declare GET only) and its body is dropped here, so the headers,
    Content-Length included, are exactly those of the GET.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "GET":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "HEAD":
            await self.app({**scope, "method": "GET"}, receive, _without_body(send))
            return
        message = f"method {scope['method'][:16]} not allowed: this API is read-only (GET, HEAD)"
        response = error_response(405, "method_not_allowed", message,
                                  headers={"Allow": ", ".join(ALLOWED_METHODS)})
        await response(scope, receive, send)


def _without_body(send: Send) -> Send:
    async def send_headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return send_headers_only


def install_access(app: FastAPI, cors_origins: list[str]) -> None:
    """GET/HEAD-only everywhere; CORS (outermost, so browser preflights are answered) when origins are set."""
    app.add_middleware(GetOnly)
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=cors_origins, allow_methods=list(ALLOWED_METHODS),
                           allow_headers=[API_KEY_HEADER], allow_credentials=False)
