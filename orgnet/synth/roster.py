"""The HR roster of the sample organisation, as CSV and as an Excel workbook of the same content."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd

from orgnet.synth.org import Org

__all__ = ["write_roster"]

#: The date stamped into the workbook, so that its bytes depend only on its content.
_FIXED = datetime(2026, 11, 1)


def write_roster(org: Org, out: Path) -> pd.DataFrame:
    """Write ``roster.csv`` and ``roster.xlsx`` into ``out``; returns the roster.

    ``aliases`` holds each person's chat handle and, for some, an old address
    (``;``-separated); ``level`` is an HR attribute beyond the core fields.
    """
    roster = pd.DataFrame(
        {
            "person_id": org.ids,
            "name": org.names,
            "email": org.emails,
            "aliases": [";".join(a) for a in org.aliases],
            "department": [org.dept_name(k) for k in range(org.size)],
            "title": org.titles,
            "manager_id": [org.ids[m] if m >= 0 else "" for m in org.manager],
            "location": org.locations,
            "hire_date": [d.isoformat() for d in org.hire],
            "level": org.levels,
        }
    )
    roster.to_csv(out / "roster.csv", index=False, lineterminator="\n")
    _write_xlsx(roster, out / "roster.xlsx")
    return roster


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """An Excel copy whose bytes depend only on ``frame`` (fixed document and zip timestamps)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "roster"
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    book.properties.created = _FIXED
    book.properties.modified = _FIXED
    raw = io.BytesIO()
    book.save(raw)
    # openpyxl stamps zip entries with the current time; rewrite them with a fixed one.
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _fix_modified(data)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=_FIXED.timetuple()[:6]), data, zipfile.ZIP_DEFLATED)


def _fix_modified(core_xml: bytes) -> bytes:
    """openpyxl rewrites ``dcterms:modified`` with the save time; pin it to the fixed date."""
    return re.sub(
        rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
        rb"\g<1>" + _FIXED.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
        core_xml,
    )
