"""Where the messages are: mbox files, Maildirs, ``.eml`` files and folders of one message per file, in any mix.

A file given on its own is an mbox when it opens with a separator line, else
one message (an ``.eml`` file, or a file that opens with a header block
naming a sender, recipients, date or id). In a folder, walked with
:func:`orgnet.ingest.files.folder_files` (links are never followed, so
nothing outside the folder given is read), each file is told apart by where
it lies and how it opens: files in a Maildir's ``cur/`` or ``new/`` are
messages, ``tmp/`` holds mail still being delivered and is not read, and
other files that are neither an mbox nor a message (indexes, notes, the
``dovecot-*`` files) are left alone and counted. Maildir++ subfolders
(``.Sent``, ``.Archive``) are read too, though hidden. The Enron corpus
layout (``maildir/<user>/<folder>/<n>.``) is a folder of message files.

Every file is memory-mapped and only header blocks are copied out of it.
"""

from __future__ import annotations

import mmap
import os
import re
from collections.abc import Generator, Iterator
from pathlib import Path

import numpy as np

from orgnet.ingest.base import IngestContext
from orgnet.ingest.email_headers import FIELD_START, MAX_HEADER_BYTES, MessageHeader, header_end, parse_header_block
from orgnet.ingest.files import folder_files

__all__ = ["Mail"]

# RFC 4155: a message of an mbox starts with a "From " line at the start of the file or after the blank line that
# ends the message before. One is a separator only when a header line follows it: a "From " line of a body (one a
# writer failed to quote as ">From ") is then body text, never the start of a message made of body text.
_FIRST_SEPARATOR = re.compile(rb"(From [^\n]*\n)(?=" + FIELD_START + rb")")
# The blank line before is part of the pattern (not a look-behind) so that the search skips ahead to newlines.
_SEPARATOR = re.compile(rb"\n\r?\n(From [^\n]*\n)(?=" + FIELD_START + rb")")
_FROM_LINE = re.compile(rb"\nFrom ")
# The fields that make a header block a message's rather than any "Name: value" text.
_MAIL_FIELD = re.compile(rb"^(?:from|to|cc|date|message-id)[ \t]*:", re.IGNORECASE | re.MULTILINE)
_MAILDIR_MESSAGES = ("cur", "new")
_MAILDIR_PARTS = (*_MAILDIR_MESSAGES, "tmp")
# A NUL byte in the first 64 KiB of a file that is not mail tells it is binary (the check orgnet.ingest.base makes).
_BINARY_PROBE = 65536
# Newlines are counted this many bytes at a time, so an mbox of any size costs bounded memory.
_LINE_BLOCK = 1 << 22


class Mail:
    """The messages at ``path``, read as they are iterated, in sorted file order (an mbox's in its order).

    Parameters
    ----------
    path : an mbox file, one message (``.eml``), a Maildir, or a folder
        holding any of them at any depth.
    context : the ingest context: ``problems`` gets the files that cannot be
        read (line 0) and the messages whose header block is too long;
        ``report`` the ``symlinks_skipped``.

    Attributes
    ----------
    Final once the iteration ends: ``mailboxes`` counts mbox files and
    folders holding message files (a Maildir counts once for its ``cur/``
    and ``new/``); ``files_ignored`` the files of a folder that are not
    mail; ``body_from_lines`` the ``From `` lines of mbox bodies not taken
    as separators.

    Raises
    ------
    IngestError
        While iterating: for a file given on its own that is empty or not
        mail, and for a folder without any mail.

    Notes
    -----
    Headers are handed out one by one, so a caller keeps only those it
    needs: memory grows with the messages kept, not with those read.
    """

    def __init__(self, path: Path, context: IngestContext) -> None:
        self.path, self.context = path, context
        self.mailboxes = self.files_ignored = self.body_from_lines = 0

    def __iter__(self) -> Iterator[MessageHeader]:
        if self.path.is_file():
            kind = yield from self._file(self.path, given=True)
            self.mailboxes += kind == "message"
            return
        folders: set[Path] = set()
        for file in _folder_mail_files(self.path, self.context):
            maildir = file.parent.name in _MAILDIR_MESSAGES
            if (yield from self._file(file, given=False, maildir=maildir)) == "message":
                folders.add(file.parent.parent if maildir else file.parent)
        self.mailboxes += len(folders)
        if not self.mailboxes:
            raise self.context.problems.fatal(
                self.path, "no e-mail found: expected mbox files, Maildir folders (cur/, new/) or message files (.eml)"
            )

    def _file(self, path: Path, given: bool, maildir: bool = False) -> Generator[MessageHeader, None, str | None]:
        """The messages of one file; returns its kind: ``mbox``, ``message`` or ``None`` (not mail).

        A file in a Maildir's ``cur/`` or ``new/`` and an ``.eml`` file are
        messages whatever they hold (a broken one is a problem, not ignored).
        """
        problems = self.context.problems
        message = maildir or path.suffix.lower() == ".eml"
        try:
            handle = path.open("rb")
        except OSError as error:
            # Unreadable (permissions, a file gone since the walk): that file is a bad item, the rest is read.
            problems.add(path, 0, f"cannot read the file ({error.strerror or error})")
            return "message" if message else None
        with handle:
            if os.fstat(handle.fileno()).st_size == 0:
                if given:
                    raise problems.fatal(path, "the file is empty")
                if not message:
                    self.files_ignored += 1
                    return None
                problems.add(path, 0, "the file is empty")
                return "message"
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                first = _FIRST_SEPARATOR.match(data)
                if first is not None:
                    self.mailboxes += 1
                    yield from self._mbox(data, first, str(path))
                    return "mbox"
                end = header_end(data, 0, len(data))
                if message or _MAIL_FIELD.search(data[: MAX_HEADER_BYTES if end is None else end]):
                    if end is None:
                        problems.add(path, 1, _TOO_LONG)
                    else:
                        yield parse_header_block(data[:end], str(path), 1)
                    return "message"
                if given:
                    if b"\x00" in data[:_BINARY_PROBE]:
                        raise problems.fatal(path, "the file is binary, not an mbox or a message (NUL bytes found)")
                    raise problems.fatal(path, "not an mbox file or a message: it opens with neither a 'From ' line nor a mail header")
        self.files_ignored += 1
        return None

    def _mbox(self, data: mmap.mmap, first: re.Match[bytes], file: str) -> Iterator[MessageHeader]:
        """The messages of an mbox (``first``, its opening separator), each with the line of its separator; counts the body ``From `` lines.

        :mod:`mailbox` is not used: it splits at every ``From `` line and its
        table of contents gives no line numbers.
        """
        bounds = [first.span(1)] + [match.span(1) for match in _SEPARATOR.finditer(data)]
        starts = [start for start, _ in bounds]
        self.body_from_lines += 1 + sum(1 for _ in _FROM_LINE.finditer(data)) - len(bounds)
        lines = _line_numbers(data, np.asarray(starts, dtype=np.int64)).tolist()
        for (_, begin), end, line in zip(bounds, [*starts[1:], len(data)], lines):
            stop = header_end(data, begin, end)
            if stop is None:
                self.context.problems.add(file, line, _TOO_LONG)
            else:
                yield parse_header_block(data[begin:stop], file, line)


_TOO_LONG = f"the header block is longer than {MAX_HEADER_BYTES:,} bytes; this is not a mail header"


def _folder_mail_files(folder: Path, context: IngestContext) -> list[Path]:
    """Every file of ``folder`` that may be mail, Maildir++ subfolders included and Maildir ``tmp/`` left out."""
    found = folder_files(folder, report=context.report)
    files = list(found)
    maildirs = {folder} | {file.parent.parent for file in found if file.parent.name in _MAILDIR_PARTS}
    for maildir in sorted(maildirs):
        if not _is_maildir(maildir, context):
            continue
        # Maildir++ keeps subfolders as hidden folders beside cur/ and new/, which folder_files leaves out.
        # folder_files takes the folder it is given as named, so a link among them is refused here.
        try:
            subfolders = sorted(maildir.iterdir())
        except OSError as error:
            context.problems.add(maildir, 0, f"cannot read the folder ({error.strerror or error})")
            continue
        for sub in subfolders:
            if sub.name.startswith(".") and not sub.is_symlink() and sub.is_dir() and _is_maildir(sub, context):
                files.extend(folder_files(sub, report=context.report))
    # folder_files sorts; only subfolders added make a sort again worth its cost.
    files = files if len(files) == len(found) else sorted(files)
    return [file for file in files if not (file.parent.name == "tmp" and _is_maildir(file.parent.parent, context))]


def _is_maildir(folder: Path, context: IngestContext) -> bool:
    """Whether ``folder`` holds ``cur/`` or ``new/``; a folder that cannot be looked into is a problem, and no Maildir."""
    try:
        return any((folder / part).is_dir() for part in _MAILDIR_MESSAGES)
    except OSError as error:
        context.problems.add(folder, 0, f"cannot read the folder ({error.strerror or error})")
        return False


def _line_numbers(data: mmap.mmap, positions: np.ndarray) -> np.ndarray:
    """The 1-based line of each of the sorted byte ``positions`` of ``data``, counted a block at a time."""
    lines = np.empty(len(positions), dtype=np.int64)
    before = 0  # newlines before the block
    done = 0  # positions already placed
    for begin in range(0, len(data), _LINE_BLOCK):
        if done == len(positions):
            break
        size = min(_LINE_BLOCK, len(data) - begin)
        inside = int(np.searchsorted(positions, begin + size))
        newlines = _newlines(data, begin, size)
        lines[done:inside] = before + np.searchsorted(newlines, positions[done:inside]) + 1
        before += len(newlines)
        done = inside
    return lines


def _newlines(data: mmap.mmap, begin: int, size: int) -> np.ndarray:
    """Offsets of the newlines of ``data[begin:begin + size]``; the NumPy view is gone on return, so the map can close."""
    view = np.frombuffer(data, dtype=np.uint8, count=size, offset=begin)
    try:
        return np.flatnonzero(view == 10) + begin
    finally:
        del view
