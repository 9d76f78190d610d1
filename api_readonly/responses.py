"""JSON bodies the hot endpoints build themselves, serialised by orjson.

Returning a Response makes FastAPI skip validating and re-serialising the body through the route's
response_model (which stays declared, for the OpenAPI schema): on a 100-cell page that validation plus
stdlib json cost more CPU than the query. The bodies are built to exactly the documented shape;
tests/api/test_schemathesis.py checks every response against the schema.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


def json_response(payload: Any) -> Response:
    """A 200 application/json response of *payload* (NaN/Infinity become null, as in pydantic)."""
    return Response(orjson.dumps(payload), media_type="application/json")
