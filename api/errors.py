"""Every error the service answers is JSON with the right status, never a traceback.

Body: ``{"error": "<short code>", "detail": "<message>"}`` (``detail`` is the
list of problems for a 422). Browser pages (paths outside ``/api``) send a
401 to the login page instead.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.snapshots import NotAnalysed, UnknownSnapshot
from orgnet.errors import OrgnetError

__all__ = ["install_error_handlers", "error_response", "API_PREFIX"]

API_PREFIX = "/api/"

logger = logging.getLogger("orgnet.api")


def _code(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


def error_response(status: int, detail: object, headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON error answer for ``status``."""
    return JSONResponse({"error": _code(status), "detail": jsonable_encoder(detail)}, status_code=status, headers=headers)


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith(API_PREFIX) and request.url.path not in ("/openapi.json",)


async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
    if error.status_code == 401 and _is_page(request):
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    return error_response(error.status_code, error.detail, getattr(error, "headers", None))


async def _validation_error(request: Request, error: RequestValidationError) -> Response:
    # Echoing the rejected input back is useless to the caller and may repeat a secret; keep where and why.
    problems = [{k: v for k, v in problem.items() if k in ("loc", "msg", "type")} for problem in error.errors()]
    return error_response(422, problems)


async def _not_analysed(request: Request, error: NotAnalysed) -> Response:
    return error_response(404, str(error))


async def _unknown_snapshot(request: Request, error: UnknownSnapshot) -> Response:
    return error_response(404, str(error))


async def _orgnet_error(request: Request, error: OrgnetError) -> Response:
    return error_response(400, str(error))


async def _unexpected(request: Request, error: Exception) -> Response:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "internal error; the server log has the details")


def install_error_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on ``app``."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(NotAnalysed, _not_analysed)
    app.add_exception_handler(UnknownSnapshot, _unknown_snapshot)
    app.add_exception_handler(OrgnetError, _orgnet_error)
    app.add_exception_handler(Exception, _unexpected)
