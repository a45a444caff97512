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


def folder_files(
    folder: Path, suffixes: Iterable[str] | None = None, report: IngestReport | None = None, *, hidden: bool = False
) -> list[Path]:
    """Every regular file under ``folder``, at any depth, in sorted order, without following links.

    Parameters
    ----------
    folder : the folder the user gave (itself may be a link: it was named on purpose).
    suffixes : keep only files with one of these suffixes (lower case, with
        the dot, e.g. ``(".ics",)``); ``None`` keeps every file.
    report : where ``symlinks_skipped`` and ``unreadable_entries`` are counted, if given.
    hidden : also list hidden files and folders (names starting with ``.``),
        as the content hash must (a Maildir++ folder such as ``.Sent`` holds mail).

    Returns
    -------
    The files' paths (below ``folder`` as given), sorted. Folders that cannot
    be listed and entries that cannot be looked at are left out and counted.
    """
    wanted = None if suffixes is None else {suffix.lower() for suffix in suffixes}
    found: list[Path] = []
    links = unreadable = 0

    def refused(_: OSError) -> None:
        nonlocal unreadable
        unreadable += 1

    for root, folders, files in os.walk(folder, followlinks=False, onerror=refused):
        here = Path(root)
        kept = []
        for name in folders:
            kind = _kind(here / name)
            links += kind == "link"
            unreadable += kind == "unreadable"
            if kind == "folder" and (hidden or not name.startswith(".")):
                kept.append(name)
        folders[:] = sorted(kept)
        for name in files:
            path = here / name
            kind = _kind(path)
            links += kind == "link"
            unreadable += kind == "unreadable"
            if kind == "file" and (hidden or not name.startswith(".")) and (wanted is None or path.suffix.lower() in wanted):
                found.append(path)
    if report is not None:
        if links:
            report.add("symlinks_skipped", links)
        if unreadable:
            report.add("unreadable_entries", unreadable)
    return sorted(found)


def _kind(path: Path) -> str:
    """``link``, ``file``, ``folder``, ``other`` (a socket, a device) or ``unreadable`` (no permission to look)."""
    try:
        if path.is_symlink():
            return "link"
        if path.is_dir():
            return "folder"
        return "file" if path.is_file() else "other"
    except OSError:
        return "unreadable"
