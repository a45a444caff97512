"""The files of a folder an ingest reads: regular files inside it, never what a symbolic link points at.

Folders are untrusted input (the scheduler ingests what is dropped in
them): a link inside one can point anywhere the process may read
(``/etc``, another tenant's export), so no folder ingester follows links,
whether they leave the folder or not; those inside it would only make a file
count twice. Each link skipped is counted in the report.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from orgnet.model import IngestReport

__all__ = ["folder_files"]


def folder_files(folder: Path, suffixes: Iterable[str] | None = None, report: IngestReport | None = None) -> list[Path]:
    """Every regular file under ``folder``, at any depth, in sorted order, without following links.

    Parameters
    ----------
    folder : the folder the user gave (itself may be a link: it was named on purpose).
    suffixes : keep only files with one of these suffixes (lower case, with
        the dot, e.g. ``(".ics",)``); ``None`` keeps every file.
    report : where ``symlinks_skipped`` is counted, if given.

    Returns
    -------
    The files' paths (below ``folder`` as given), sorted; hidden files and
    folders (names starting with ``.``) are left out.
    """
    wanted = None if suffixes is None else {suffix.lower() for suffix in suffixes}
    found: list[Path] = []
    links = 0
    for root, folders, files in os.walk(folder, followlinks=False):
        here = Path(root)
        links += sum((here / name).is_symlink() for name in folders)
        folders[:] = sorted(name for name in folders if not name.startswith(".") and not (here / name).is_symlink())
        for name in files:
            path = here / name
            if path.is_symlink():
                links += 1
            elif not name.startswith(".") and path.is_file() and (wanted is None or path.suffix.lower() in wanted):
                found.append(path)
    if report is not None and links:
        report.add("symlinks_skipped", links)
    return sorted(found)
