"""Browser security: what the session cookie may do, the headers of every answer, OPTIONS, 405s and single values.

A browser attaches the session cookie to every request for this site, even one
that another site's page makes it send, so the cookie is an ambient credential;
an API key in a header is not (a page of another site cannot add a header to a
request without the CORS permission orgnet never grants). Hence:

- A state-changing request (any method but GET, HEAD, OPTIONS) that would be
  authenticated by the session cookie must come from this site: its ``Origin``
  header (or, without one, its ``Referer``) must name the scheme, host and port
  the request was sent to; otherwise it is refused with a 403 before any route
  runs. Requests with an API key header are untouched.
- The login and logout forms carry a CSRF token (:func:`form_token`): a value
  signed with the session secret and bound to a random cookie of this browser
  (signed double submit), which another site can neither read nor forge.
- Every answer, errors and files included, carries :data:`SECURITY_HEADERS`:
  a Content-Security-Policy that admits only this site's own scripts and
  stylesheets (no inline script; no inline style but plotly.js's own, by hash),
  no framing, no MIME sniffing, no Referer to other sites.
- ``OPTIONS`` answers 204 with ``Allow`` listing the methods of every route of
  the path, and a 405 carries the same ``Allow``.
- A query parameter that a route declares with one value is refused with a 422
  naming it when it is repeated (:func:`single_query_values`).

References: OWASP Cross-Site Request Forgery Prevention Cheat Sheet (origin
verification, signed double-submit cookie); W3C Content Security Policy Level 3;
RFC 9110, sections 9.3.7 (OPTIONS) and 15.5.6 (405 and ``Allow``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi._compat import field_annotation_is_sequence
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security.utils import get_authorization_scheme_param
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from orgnet.api.assets import plotly_styles
from orgnet.api.deps import SESSION_COOKIE
from orgnet.api.errors import API_PREFIX, error_page, error_response
from orgnet.api.settings import Settings

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "PAGE_POLICY",
    "SAFE_METHODS",
    "SECURITY_HEADERS",
    "BrowserSecurity",
    "SecuredFastAPI",
    "allowed_methods",
    "form_token",
    "inline_policy",
    "same_origin",
    "set_form_cookie",
    "single_query_values",
    "valid_form_token",
]

#: Methods that change nothing, so any origin may send them.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _hash_source(text: str) -> str:
    # A browser hashes the text after its parser turned every CR LF and lone CR into LF.
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    return f"'sha256-{base64.b64encode(hashlib.sha256(normalised.encode()).digest()).decode()}'"


def _hashes(texts: Iterable[str]) -> str:
    return " ".join(sorted({_hash_source(text) for text in texts}))


#: The inline styles every policy admits: plotly.js's own (read from the served bundle, see orgnet.api.assets), among
#: them the empty one, which also lets it clear a style attribute with style="" (W3C CSP Level 3: 'unsafe-hashes').
_PLOTLY_STYLES = "'unsafe-hashes' " + _hashes(plotly_styles())


def _policy(scripts: str = "'self'", styles: str = "'self'") -> str:
    # Only this site's own scripts, styles, images and fetches (or the sources given); no inline script, no inline
    # style but plotly.js's own, no plugins, no <base>, forms only to this site, no framing.
    style_sources = f"{styles} {_PLOTLY_STYLES}".strip()
    return (
        f"default-src 'none'; script-src {scripts}; style-src {style_sources}; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


#: The policy of every answer.
PAGE_POLICY = _policy()


class _InlineParts(HTMLParser):
    """The texts of a page's inline scripts and style elements, and its style attributes, as a browser reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if style := named.get("style"):
            self.styles.append(style)
        if tag == "style" or (tag == "script" and "src" not in named):
            self._open, self._text = tag, []

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            (self.scripts if tag == "script" else self.styles).append("".join(self._text))
            self._open = None


def inline_policy(page: str) -> str:
    """The policy of a self-contained HTML ``page`` (a growth report): exactly its own inline scripts and styles run.

    Every inline ``<script>``, ``<style>`` and ``style`` attribute of the page is
    admitted by its SHA-256 (W3C CSP Level 3, hash sources) and nothing else
    is: a script that found its way into the page any other way does not run.
    """
    parts = _InlineParts()
    parts.feed(page)
    parts.close()
    return _policy(_hashes(parts.scripts) or "'none'", _hashes(parts.styles))


#: Headers every answer carries (a route may set its own Content-Security-Policy, as a growth report does).
SECURITY_HEADERS = {
    "Content-Security-Policy": PAGE_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

#: The cookie holding this browser's random CSRF value, and the form field holding its signed token.
CSRF_COOKIE = "orgnet_csrf"
CSRF_FIELD = "csrf_token"
_NONCE = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.session_secret.get_secret_value(), salt="orgnet-csrf")


def form_token(request: Request, settings: Settings) -> tuple[str, str | None]:
    """The CSRF token a form of this browser carries, and the cookie value to set first (``None`` when it has one).

    The token is the browser's random :data:`CSRF_COOKIE` value, signed with
    the session secret and dated; :func:`valid_form_token` accepts it only
    beside that cookie. Set the cookie with :func:`set_form_cookie`.
    """
    nonce = request.cookies.get(CSRF_COOKIE, "")
    fresh = None if _NONCE.fullmatch(nonce) else secrets.token_urlsafe(32)
    return _serializer(settings).dumps(fresh or nonce), fresh


def set_form_cookie(response: Response, nonce: str, settings: Settings) -> None:
    """Give the browser its CSRF value (HttpOnly, SameSite=Strict, for the whole site, until the browser closes)."""
    response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict", secure=settings.cookie_secure)


def valid_form_token(request: Request, settings: Settings, token: str) -> bool:
    """Whether ``token`` is a signed token of this browser's CSRF cookie, at most ``session_max_age`` seconds old."""
    nonce = request.cookies.get(CSRF_COOKIE, "")
    if not token or not _NONCE.fullmatch(nonce):
        return False
    try:
        signed = _serializer(settings).loads(token, max_age=settings.session_max_age)
    except BadSignature:
        return False
    return isinstance(signed, str) and hmac.compare_digest(signed, nonce)


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    return (scheme, host, port) if scheme in _DEFAULT_PORTS and host and port else None


def same_origin(request: Request) -> bool:
    """Whether the request's ``Origin`` (or, without one, its ``Referer``) is the origin the request was sent to.

    The request's own origin is its scheme and its ``Host`` header, as a
    browser sent them (behind a proxy: the proxy must pass ``Host`` and
    ``X-Forwarded-Proto``). A request with neither header, or with
    ``Origin: null``, is not of the same origin.
    """
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed:
        return False
    sent_to = _origin(f"{request.url.scheme}://{request.headers.get('host', '')}/")
    return sent_to is not None and _origin(claimed) == sent_to


def _by_session_cookie(request: Request) -> bool:
    # As orgnet.api.deps.optional_principal decides: a key header wins, and only without one is the cookie read.
    if request.headers.get("x-api-key"):
        return False
    scheme, credentials = get_authorization_scheme_param(request.headers.get("authorization"))
    return not (scheme.lower() == "bearer" and credentials) and bool(request.cookies.get(SESSION_COOKIE))


#: The methods a route of orgnet may have; OPTIONS is answered for every path (by :class:`BrowserSecurity`).
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(scope: Scope) -> list[str]:
    """The methods some route of the app answers on ``scope``'s path, and OPTIONS; empty when no route has the path.

    Asked of the routes themselves (Starlette's ``matches``, one method at a
    time), so it holds however FastAPI nests included routers, and a path that
    several routes share (``GET`` and ``POST /api/v1/keys``) lists all their methods.
    """
    probe = {key: scope[key] for key in ("type", "path", "root_path", "headers", "query_string", "app") if key in scope}
    found = [m for m in _METHODS if any(route.matches({**probe, "method": m})[0] is Match.FULL for route in scope["app"].routes)]
    return [*found, "OPTIONS"] if found else []


class BrowserSecurity:
    """ASGI middleware: the security headers on every answer, OPTIONS and ``Allow``, the origin check of the cookie.

    It must wrap the whole app, outside Starlette's last-resort error handler,
    so that even a 500 carries the headers (:class:`SecuredFastAPI` puts it there).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                if message["status"] == 405:
                    headers["Allow"] = ", ".join(allowed_methods(scope))
            await send(message)

        request = Request(scope)
        if request.method == "OPTIONS" and (methods := allowed_methods(scope)):
            await Response(status_code=204, headers={"Allow": ", ".join(methods)})(scope, receive, secured)
            return
        if request.method not in SAFE_METHODS and _by_session_cookie(request) and not same_origin(request):
            detail = "cross-origin request refused: a request authenticated by the session cookie must come from this site"
            refusal = error_response(403, detail) if request.url.path.startswith(API_PREFIX) else error_page(request, 403, detail)
            await refusal(scope, receive, secured)
            return
        await self.app(scope, receive, secured)


class SecuredFastAPI(FastAPI):
    """FastAPI with :class:`BrowserSecurity` around its whole middleware stack, the 500 handler included."""

    def build_middleware_stack(self) -> ASGIApp:
        return BrowserSecurity(super().build_middleware_stack())


def _query_fields(dependant: Dependant) -> Iterator[tuple[str, object]]:
    for field in dependant.query_params:
        yield field.alias, field.field_info.annotation
    for child in dependant.dependencies:
        yield from _query_fields(child)


#: Route id -> (the route, kept so that its id is not reused; its query parameters; those that take one value).
_query_names: dict[int, tuple[APIRoute, frozenset[str], frozenset[str]]] = {}


def _names(route: APIRoute) -> tuple[frozenset[str], frozenset[str]]:
    """The query parameters ``route`` takes, and those of them that take one value."""
    known = _query_names.get(id(route))
    if known is None:
        fields = list(_query_fields(route.dependant))
        # FastAPI's own test (private, there since 0.100) of whether it reads a parameter with getlist(): what it
        # reads so may repeat, nothing else, and the two never disagree.
        single = frozenset(name for name, annotation in fields if not field_annotation_is_sequence(annotation))
        known = _query_names.setdefault(id(route), (route, frozenset(name for name, _ in fields), single))
    return known[1], known[2]


async def single_query_values(request: Request) -> None:
    """Dependency of every route: a 422 naming each query parameter the route does not take, with those it takes, and
    each parameter declared with one value that comes repeated.

    FastAPI would silently ignore ``?perod=2026-09`` (answering the latest
    period) and take the last of ``?period=2026-09&period=2026-10``; a caller
    who sent either meant something the answer would not say.
    """
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    accepted, single = _names(route)
    takes = ", ".join(sorted(accepted)) if accepted else "none"
    problems = [
        {"loc": ("query", name), "msg": f"unknown parameter; this route takes: {takes}", "type": "unknown"}
        for name in sorted(set(request.query_params) - accepted)
    ]
    problems += [
        {"loc": ("query", name), "msg": "given more than once; this parameter takes one value", "type": "repeated"}
        for name in sorted(single)
        if len(request.query_params.getlist(name)) > 1
    ]
    if problems:
        raise RequestValidationError(problems)
