"""Every error the service answers is JSON with the right status, never a traceback.

Body: ``{"error": "<short code>", "detail": "<message>"}`` (``detail`` is the
list of problems for a 422). Browser pages (paths outside ``/api``) send a
401 to the login page instead, and answer other errors with an HTML page:
a snapshot not analysed yet says to run ``orgnet analyze``. A route outside
``/api`` that the pages' scripts fetch (``/network/figure``) declares
``response_class=JSONResponse`` and answers its errors in JSON like the API,
so that the script can show them in words (:func:`answers_json`).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import escape
from starlette.exceptions import HTTPException as StarletteHTTPException

from orgnet.api.assets import templates
from orgnet.api.snapshots import NotAnalysed, UnknownSnapshot
from orgnet.choices import NotASnapshot, check_snapshot
from orgnet.errors import OrgnetError
from orgnet.results import OutdatedResult, analyze_command

__all__ = ["API_PREFIX", "answers_json", "error_response", "install_error_handlers"]

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


def answers_json(request: Request) -> bool:
    """Whether ``request``'s errors are JSON: a path of the API, or a route that declares ``response_class=JSONResponse``.

    A route that does not name a response class gets FastAPI's default placeholder, not the class itself, so only
    a route that says it answers JSON is taken as one.
    """
    if request.url.path.startswith(API_PREFIX) or request.url.path == "/openapi.json":
        return True
    return getattr(request.scope.get("route"), "response_class", None) is JSONResponse


def _is_page(request: Request) -> bool:
    return not answers_json(request)


def error_page(request: Request, status: int, detail: str, hint: str = "") -> HTMLResponse:
    """The HTML error page of a browser page: the status in words, what went wrong and what to do."""
    title = f"{status} · {HTTPStatus(status).phrase}" if status in HTTPStatus._value2member_map_ else str(status)
    context = {"principal": None, "nav": [], "path": request.url.path, "title": title, "detail": detail, "hint": hint}
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
    if _is_page(request):
        if error.status_code == 401:
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        return error_page(request, error.status_code, str(error.detail))
    return error_response(error.status_code, error.detail, getattr(error, "headers", None))


async def _validation_error(request: Request, error: RequestValidationError) -> Response:
    # Echoing the rejected input back is useless to the caller and may repeat a secret; keep where and why.
    problems = [{k: v for k, v in problem.items() if k in ("loc", "msg", "type")} for problem in error.errors()]
    if _is_page(request):
        return error_page(request, 422, "; ".join(f"{'.'.join(map(str, p['loc']))}: {p['msg']}" for p in problems))
    return error_response(422, problems)


async def _not_analysed(request: Request, error: NotAnalysed) -> Response:
    # A label that is no period (2026-13), or one without ties, is not cured by analysing: say what the store holds.
    try:
        check_snapshot(error.snapshot, request.app.state.snapshots.periods())
    except OrgnetError as wrong:
        status = 422 if isinstance(wrong, NotASnapshot) else 404
        return error_page(request, status, str(wrong)) if _is_page(request) else error_response(status, str(wrong))
    if _is_page(request):
        command = escape(analyze_command(error.snapshot, error.by))
        said = str(error) if isinstance(error, OutdatedResult) else f"{error.snapshot} has not been analysed yet."
        return error_page(request, 404, said, f"Run <code>{command}</code>, then reload this page.")
    return error_response(404, str(error))


async def _unknown_snapshot(request: Request, error: UnknownSnapshot) -> Response:
    if _is_page(request):
        return error_page(
            request, 404, str(error), "Ingest some sources with <code>orgnet ingest</code>, then run <code>orgnet analyze</code>."
        )
    return error_response(404, str(error))


async def _orgnet_error(request: Request, error: OrgnetError) -> Response:
    if _is_page(request):
        return error_page(request, 400, str(error))
    return error_response(400, str(error))


async def _unexpected(request: Request, error: Exception) -> Response:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    if _is_page(request):
        return error_page(request, 500, "Something went wrong; the server log has the details.")
    return error_response(500, "internal error; the server log has the details")


def install_error_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on ``app``."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(NotAnalysed, _not_analysed)
    app.add_exception_handler(UnknownSnapshot, _unknown_snapshot)
    app.add_exception_handler(OrgnetError, _orgnet_error)
    app.add_exception_handler(Exception, _unexpected)
