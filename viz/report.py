"""A growth report as one self-contained HTML page: summary in words, then sections of figures and tables.

:func:`render_report` takes a :class:`ReportDocument` (text, plotly figures,
small tables) and returns the HTML. plotly.js is embedded once, inline, so
the page reads offline and names no CDN; print styles keep each section on
its own page region and drop the interactive chrome. Data in, HTML out: this
module never reads the store.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

__all__ = ["FIGURE_CONFIG", "TABLE_ROWS", "ReportDocument", "ReportSection", "render_report"]

#: plotly config of every figure: no plotly logo (it links to plotly.com), sized by its container.
FIGURE_CONFIG = {"displaylogo": False, "responsive": True}

#: Rows of a table shown in the page; the CSV next to the report holds all of them.
TABLE_ROWS = 15

# Wide tables scroll inside their own box, never the page; figures take the width of the page (plotly's responsive
# config redraws them when it changes, printing included).
_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1.5rem; color: #222; }
.table { max-width: 100%; overflow-x: auto; }
.figure, .figure .plotly-graph-div { max-width: 100%; }
h1 { margin-bottom: .2rem; } .subtitle { color: #555; margin-top: 0; }
.summary { background: #f3f6fa; border-left: 4px solid #1f77b4; padding: .8rem 1.2rem; }
.summary li { margin: .3rem 0; }
section { margin-top: 2rem; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .6rem; text-align: left; }
th { background: #fafafa; }
.notes { color: #555; font-size: .85rem; }
.figure { min-height: 420px; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  .table { overflow: visible; }
  table { width: 100%; font-size: 7.5pt; }
  th, td { padding: .15rem .3rem; overflow-wrap: anywhere; }
  .figure { overflow: hidden; }
  section { break-inside: avoid; page-break-inside: avoid; }
  .modebar-container { display: none !important; }
  .summary { background: none; }
}
"""


@dataclass
class ReportSection:
    """One section: a heading, paragraphs, figures, and a table (first :data:`TABLE_ROWS` rows shown), then ``more`` tables."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    figures: list[go.Figure] = field(default_factory=list)
    table: pd.DataFrame | None = None
    more: list[pd.DataFrame] = field(default_factory=list)


@dataclass
class ReportDocument:
    """A whole report: title, subtitle, the summary sentences, sections and closing notes."""

    title: str
    subtitle: str
    summary: list[str]
    sections: list[ReportSection]
    notes: list[str] = field(default_factory=list)


def _table(frame: pd.DataFrame) -> str:
    shown = frame.head(TABLE_ROWS)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>" for row in shown.itertuples(index=False, name=None)
    )
    more = f"<p class='notes'>{len(frame) - len(shown)} more rows in the CSV table.</p>" if len(frame) > len(shown) else ""
    return f"<div class='table'><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>{more}"


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 1:
            return f"{value:,.0f}"
        return f"{value:,.4f}" if abs(value) < 0.1 else (f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}")
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def _figure(figure: go.Figure, div_id: str) -> str:
    body = pio.to_html(figure, full_html=False, include_plotlyjs=False, include_mathjax=False, div_id=div_id, config=FIGURE_CONFIG)
    return f"<div class='figure'>{body}</div>"


def render_report(document: ReportDocument) -> str:
    """The report as one HTML page that needs no network.

    Parameters
    ----------
    document : the :class:`ReportDocument`; every text is escaped.

    Returns
    -------
    str: a complete HTML document with plotly.js inline once and each
    figure drawn into its own ``div`` (class ``plotly-graph-div``).
    """
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{html.escape(document.title)}</title><style>{_STYLE}</style>",
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>",
        f"<h1>{html.escape(document.title)}</h1><p class='subtitle'>{html.escape(document.subtitle)}</p>",
        "<div class='summary'><h2>Summary</h2><ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in document.summary) + "</ul></div>",
    ]
    figures = 0
    for section in document.sections:
        parts.append(f"<section><h2>{html.escape(section.title)}</h2>")
        parts.extend(f"<p>{html.escape(p)}</p>" for p in section.paragraphs)
        for figure in section.figures:
            figures += 1
            parts.append(_figure(figure, f"figure-{figures}"))
        parts.extend(_table(table) for table in (section.table, *section.more) if table is not None and len(table))
        parts.append("</section>")
    if document.notes:
        parts.append(
            "<section class='notes'><h2>Notes</h2><ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in document.notes) + "</ul></section>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)
