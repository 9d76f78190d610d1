"""A route class for the hot endpoints: FastAPI's declarations, one pydantic validation per request.

FastAPI 0.139 inspects every parameter's annotation again on every request (`field_annotation_is_sequence`
and friends): about 1 ms of CPU for the dozen parameters of GET /cells. FastRoute keeps the declared
signature (so the OpenAPI schema is FastAPI's own) but validates all path and query values with one
pydantic model built from those same declarations, then calls the dependencies and the endpoint
itself. Only what the hot endpoints use is supported (plain and Security dependencies, Request,
path/query parameters); anything else falls back to FastAPI's handler when the route is built.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, ValidationError, create_model
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _supported(dependant: Dependant) -> bool:
    if (dependant.body_params or dependant.cookie_params or dependant.response_param_name
            or dependant.background_tasks_param_name or dependant.websocket_param_name
            or dependant.http_connection_param_name or dependant.security_scopes_param_name):
        return False
    if dependant.call is not None and (inspect.isgeneratorfunction(dependant.call)
                                       or inspect.isasyncgenfunction(dependant.call)):
        return False
    return all(_supported(sub) for sub in dependant.dependencies)


def _params_model(dependant: Dependant) -> tuple[type[BaseModel], dict[str, str]]:
    """One model over a dependant's own path and query parameters (by alias), and where each comes from."""
    fields: dict[str, Any] = {}
    where: dict[str, str] = {}
    for kind, params in (("path", dependant.path_params), ("query", dependant.query_params)):
        for field in params:
            info = copy.copy(field.field_info)
            # Field names are the aliases: an alias on the copied FieldInfo would only repeat them.
            info.alias = info.validation_alias = info.serialization_alias = None
            fields[field.alias] = (info.annotation, info)
            where[field.alias] = kind
    config = ConfigDict(extra="ignore", protected_namespaces=())
    return create_model("FastRouteParams", __config__=config, **fields), where


class _Solver:
    """A dependant with its sub-solvers and parameter model, resolved the way FastAPI does: dependencies
    first (one whose parameters are invalid is not called), then the dependant's own parameters."""

    def __init__(self, dependant: Dependant) -> None:
        self.dependant = dependant
        self.subs = [_Solver(sub) for sub in dependant.dependencies]
        self.model, self.where = _params_model(dependant)
        self.names = [(f.alias, f.name) for f in (*dependant.path_params, *dependant.query_params)]
        call = dependant.call
        self.is_async = inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(
            getattr(call, "__call__", None))  # noqa: B004 - Security classes are async callables

    async def solve(self, request: Request, raw: dict[str, str], errors: list[Any]) -> Any:
        """The dependant's result; validation problems are appended to *errors* (then it is not called)."""
        kwargs: dict[str, Any] = {}
        before = len(errors)
        for sub in self.subs:
            result = await sub.solve(request, raw, errors)
            if sub.dependant.name is not None:
                kwargs[sub.dependant.name] = result
        try:
            values = self.model.model_validate(raw).__dict__ if self.names else {}
        except ValidationError as exc:
            errors += [{**e, "loc": (self.where.get(str(e["loc"][0]), "query"), *e["loc"])}
                       for e in exc.errors(include_url=False)]
            return None
        if len(errors) > before:
            return None
        kwargs.update({name: values[alias] for alias, name in self.names})
        if self.dependant.request_param_name:
            kwargs[self.dependant.request_param_name] = request
        assert self.dependant.call is not None
        if self.is_async:
            return await self.dependant.call(**kwargs)
        return await run_in_threadpool(self.dependant.call, **kwargs)


class FastRoute(APIRoute):
    """An APIRoute whose endpoint returns a Response and whose parameters are validated in one go."""

    def get_route_handler(self) -> Handler:
        """The fast handler, or FastAPI's when the route uses something it does not support."""
        if not _supported(self.dependant):
            return super().get_route_handler()
        solver = _Solver(self.dependant)

        async def handler(request: Request) -> Response:
            raw = {**request.query_params, **request.path_params}  # duplicates: the last value, as FastAPI
            errors: list[Any] = []
            response = await solver.solve(request, raw, errors)
            if errors:
                raise RequestValidationError(errors)
            if not isinstance(response, Response):
                raise TypeError(f"{self.path}: a FastRoute endpoint must return a Response")
            return response

        return handler
