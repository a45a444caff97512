"""What the pages load: the Jinja templates (``api/templates/``), the static files (``api/static/``), plotly.js and Swagger UI.

plotly.js, as the installed plotly package bundles it, is served by orgnet
itself (``/static/plotly.min.js``), never copied into the repository; so is
Swagger UI for ``/docs`` (``/static/swagger-ui-bundle.js`` and
``/static/swagger-ui.css``), as the installed ``fastapi-offline`` package
bundles it, so the API documentation works offline too. When plotly.js
loads, it adds inline stylesheets of its own: an empty ``<style>`` it fills
through the CSSOM, and a fixed one for its map traces; and when it draws a
text with its pseudo-HTML tags (the ``<b>`` of a hover label) it writes the
tag's fixed style as a style attribute (``font-weight:bold``). The security
policy (:mod:`orgnet.api.websec`) admits exactly those, by hash, read here
from the bundle that is served (:func:`plotly_styles`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import fastapi_offline
import plotly
from fastapi.templating import Jinja2Templates

__all__ = ["PLOTLY_JS", "STATIC_FILES", "SWAGGER_UI_FILES", "VENDORED", "plotly_styles", "templates"]

_HERE = Path(__file__).parent

#: The one Jinja environment of the pages and the error pages.
templates = Jinja2Templates(directory=str(_HERE / "templates"))

#: plotly.js as the installed plotly package bundles it.
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

#: Swagger UI's script and stylesheet as the installed fastapi-offline package bundles them (a current Swagger UI 5,
#: which reads the OpenAPI 3.1 schema FastAPI writes).
SWAGGER_UI_FILES = tuple(Path(fastapi_offline.__file__).parent / "static" / name for name in ("swagger-ui-bundle.js", "swagger-ui.css"))

#: Files of installed packages served under /static/: versioned by their package, so a browser may keep them a day.
VENDORED = frozenset({PLOTLY_JS, *SWAGGER_UI_FILES})

#: The files served under /static/, by name: orgnet's own scripts and stylesheet, plotly.js and Swagger UI.
STATIC_FILES = {path.name: path for path in (_HERE / "static").iterdir() if path.suffix in (".js", ".css")}
STATIC_FILES.update({path.name: path for path in VENDORED})

# How the bundler writes a stylesheet it injects: var e=document.createElement("style");e.id="...",e.textContent='...'.
# Only a text without a backslash is taken as it stands (a JavaScript escape would change the text the browser sees).
_INJECTED_STYLE = re.compile(r'(\w+)=document\.createElement\("style"\)[;,]\1\.id="[0-9a-f]+",\1\.textContent=\'([^\'\\]*)\'')


# The styles of its pseudo-HTML tags, one object literal: {sup:"font-size:70%",...,b:"font-weight:bold",...}.
_TAG_STYLES = re.compile(r'\{[^{}]*\bb:"font-weight:bold"[^{}]*\}')
_TAG_STYLE = re.compile(r'\w+:"([^"\\]*)"')


@cache
def plotly_styles() -> tuple[str, ...]:
    """The inline styles the served plotly.js writes: its stylesheets (the empty one included) and its text tags' styles."""
    bundle = PLOTLY_JS.read_text(encoding="utf-8")
    tags = _TAG_STYLES.search(bundle)
    return (
        "",
        *(found[2] for found in _INJECTED_STYLE.finditer(bundle)),
        *(_TAG_STYLE.findall(tags[0]) if tags else ()),
    )
