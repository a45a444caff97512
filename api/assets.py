"""What the pages load: the Jinja templates (``api/templates/``), the static files (``api/static/``) and plotly.js.

plotly.js, as the installed plotly package bundles it, is served by orgnet
itself (``/static/plotly.min.js``), never copied into the repository. When it
loads, it adds inline stylesheets of its own: an empty ``<style>`` it fills
through the CSSOM, and a fixed one for its map traces. The security policy
(:mod:`orgnet.api.websec`) admits exactly those, by hash, read here from the
bundle that is served (:func:`plotly_styles`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import plotly
from fastapi.templating import Jinja2Templates

__all__ = ["PLOTLY_JS", "STATIC_FILES", "plotly_styles", "templates"]

_HERE = Path(__file__).parent

#: The one Jinja environment of the pages and the error pages.
templates = Jinja2Templates(directory=str(_HERE / "templates"))

#: plotly.js as the installed plotly package bundles it.
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

#: The files served under /static/, by name: orgnet's own scripts and stylesheet, and plotly.js.
STATIC_FILES = {path.name: path for path in (_HERE / "static").iterdir() if path.suffix in (".js", ".css")}
STATIC_FILES[PLOTLY_JS.name] = PLOTLY_JS

# How the bundler writes a stylesheet it injects: var e=document.createElement("style");e.id="...",e.textContent='...'.
# Only a text without a backslash is taken as it stands (a JavaScript escape would change the text the browser sees).
_INJECTED_STYLE = re.compile(r'(\w+)=document\.createElement\("style"\)[;,]\1\.id="[0-9a-f]+",\1\.textContent=\'([^\'\\]*)\'')


@cache
def plotly_styles() -> tuple[str, ...]:
    """The texts of the inline stylesheets the served plotly.js adds when it loads, the empty one included."""
    return ("", *(found[2] for found in _INJECTED_STYLE.finditer(PLOTLY_JS.read_text(encoding="utf-8"))))
