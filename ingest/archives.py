"""The files of an archive an ingest is given (a zip, or the folder it unpacks to), read within limits.

Uploads are untrusted (the scheduler ingests what is dropped in a folder),
and a zip says of itself only what its author wrote: a member's header may
declare a kilobyte and expand to gigabytes (a zip bomb: a 1 MB zip holding a
1 GiB member), and a member's name may point outside the archive
(``../../etc/cron.d/x``, ``/etc/passwd``, ``C:\\Windows\\x``). So:

* members are read one at a time, streamed through a reader that counts the
  bytes it actually gets and stops past :data:`MAX_MEMBER_BYTES` per member,
  :data:`MAX_TOTAL_BYTES` in all, or an expansion of more than
  :data:`MAX_COMPRESSION_RATIO` times the member's compressed size; the
  declared sizes are checked first (cheap) and never trusted alone;
* a member whose name escapes the archive, or is given twice, makes the
  whole archive refused: no real export holds one, and a crafted archive is
  not read at all;
* links, folders and hidden members (``__MACOSX/``, ``.DS_Store``) are not
  files of the export: links are counted (``symlinks_skipped``), as
  :func:`orgnet.ingest.files.folder_files` counts them in a folder.

An unpacked folder is read the same way (the same per-file and total limits,
links never followed), so an export ingests the same whether zipped or not.
Every refusal is an :class:`~orgnet.errors.IngestError` naming the archive and
the member, raised before anything is written.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
import zlib
from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType
from typing import IO

from orgnet.errors import OrgnetError
from orgnet.ingest.base import ProblemLog
from orgnet.ingest.files import folder_files
from orgnet.model import IngestReport

__all__ = ["MAX_COMPRESSION_RATIO", "MAX_MEMBER_BYTES", "MAX_TOTAL_BYTES", "Archive", "open_archive"]

#: Largest file an export may hold, decompressed: room for the ``users.json`` of a 200,000-person workspace, while
#: what parsing one file costs in memory (a few times its size) stays bounded.
MAX_MEMBER_BYTES = 512 << 20
#: Most bytes one ingest reads from an archive or folder in all: past it, the work (not the memory) is what is refused.
MAX_TOTAL_BYTES = 32 << 30
#: Largest expansion of a compressed member: JSON exports deflate 5 to 30 times; a bomb, about 1,000 times.
MAX_COMPRESSION_RATIO = 250
# The ratio is judged past this many bytes only: a small member (an empty day file) may compress any which way.
_RATIO_FLOOR = 1 << 20
_CHUNK = 1 << 20
# Bit 0 of a member's flags: encrypted (zipfile would ask for a password).
_ENCRYPTED = 0x1
# A drive letter (C:) or a UNC or absolute path: what makes a name start outside the folder it is extracted to.
_ROOTED = re.compile(r"^(?:[A-Za-z]:|/)")


class Archive(ABC):
    """The regular files of a zip or a folder, by relative POSIX name, each read whole within the limits.

    Use :func:`open_archive`; close it (or use it as a context manager)
    when done. ``names`` lists the files, sorted; :meth:`read` gives one
    file's bytes; :meth:`label` names one for problems
    (``export.zip/general/2026-05-04.json`` inside a zip).
    """

    def __init__(self, path: Path, problems: ProblemLog):
        self.path = path
        self._base = str(path)
        self.names: list[str] = []
        self._problems = problems
        self._total = 0

    @abstractmethod
    def read(self, name: str) -> bytes:
        """The bytes of file ``name``.

        Raises
        ------
        IngestError
            When the file is larger than :data:`MAX_MEMBER_BYTES`, the ingest
            has read :data:`MAX_TOTAL_BYTES`, a member expands more than
            :data:`MAX_COMPRESSION_RATIO` times, or the bytes cannot be read
            (a truncated or corrupt zip, an encrypted member).
        """

    def label(self, name: str) -> str:
        """How problems name file ``name``."""
        return f"{self._base}/{name}"

    @abstractmethod
    def close(self) -> None:
        """Release the archive's file."""

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None) -> None:
        self.close()

    def _refuse(self, name: str, reason: str) -> OrgnetError:
        return self._problems.fatal(self.label(name), reason)

    def _check(self, name: str, size: int, compressed: int | None) -> None:
        """Refuse file ``name`` if ``size`` bytes of it (as declared, or as read so far) break a limit.

        ``compressed`` is the member's compressed size (``None`` when it is
        stored as is, or is a file of a folder).
        """
        if size > MAX_MEMBER_BYTES:
            raise self._refuse(name, f"expands to more than {_size(MAX_MEMBER_BYTES)}, the most one file of an export may hold")
        if self._total + size > MAX_TOTAL_BYTES:
            raise self._refuse(name, f"the export expands to more than {_size(MAX_TOTAL_BYTES)}, the most one ingest reads")
        if compressed is not None and size > _RATIO_FLOOR and size > MAX_COMPRESSION_RATIO * max(compressed, 1):
            raise self._refuse(
                name,
                f"expands more than {MAX_COMPRESSION_RATIO} times its compressed size of {_size(compressed)}: a zip bomb, not an export",
            )

    def _read_capped(self, name: str, stream: IO[bytes], declared: int, compressed: int | None) -> bytes:
        """Read ``stream`` to its end, checking the ``declared`` size first and then every byte it actually gives.

        The first read asks for the declared size (and a byte more, to see
        the end), so a file that tells the truth is read in one call; past
        it, a chunk at a time, each checked before it is kept: at most a
        chunk more than a limit is ever held.
        """
        self._check(name, declared, compressed)
        chunks: list[bytes] = []
        size = 0
        while chunk := stream.read(min(declared + 1, _CHUNK) if not chunks else _CHUNK):
            size += len(chunk)
            self._check(name, size, compressed)
            chunks.append(chunk)
        self._total += size
        return b"".join(chunks)


class _ZipArchive(Archive):
    def __init__(self, path: Path, problems: ProblemLog, report: IngestReport | None, suffixes: tuple[str, ...] | None):
        super().__init__(path, problems)
        try:
            self._zip = zipfile.ZipFile(path)
        except OSError as error:
            raise problems.fatal(path, f"cannot be read ({error.strerror or error})") from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError) as error:
            # NotImplementedError: a zip version or feature zipfile lacks (or says so of a corrupt header).
            raise problems.fatal(path, f"not a zip file, or a truncated one ({error})") from None
        try:
            self._members = self._index(report, suffixes)
        except BaseException:
            self._zip.close()
            raise
        self.names = sorted(self._members)

    def _index(self, report: IngestReport | None, suffixes: tuple[str, ...] | None) -> dict[str, zipfile.ZipInfo]:
        members: dict[str, zipfile.ZipInfo] = {}
        links = 0
        for info in self._zip.infolist():
            # Windows tools may write backslashes; a name is judged as any extractor would read it.
            name = info.filename.replace("\\", "/")
            parts = [part for part in name.split("/") if part not in ("", ".")]
            if _ROOTED.match(name) or ".." in parts:
                raise self._problems.fatal(self.path, f"member {info.filename!a} points outside the archive: refused")
            if not parts or info.is_dir() or any(part.startswith(".") or part == "__MACOSX" for part in parts):
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                links += 1
                continue
            name = "/".join(parts)
            if suffixes is not None and not name.lower().endswith(suffixes):
                continue
            if name in members:
                raise self._problems.fatal(self.path, f"member {name!a} appears twice: refused")
            members[name] = info
        if report is not None and links:
            report.add("symlinks_skipped", links)
        return members

    def read(self, name: str) -> bytes:
        info = self._members[name]
        compressed = info.compress_size if info.compress_type != zipfile.ZIP_STORED else None
        # Checked before zipfile opens anything: a bomb that declares its size is refused without a byte read.
        self._check(name, info.file_size, compressed)
        if info.flag_bits & _ENCRYPTED:
            raise self._refuse(name, "is encrypted; export the archive again without a password")
        try:
            with self._zip.open(info) as stream:
                return self._read_capped(name, stream, info.file_size, compressed)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as error:
            # NotImplementedError: a compression method zipfile lacks.
            raise self._refuse(name, f"cannot be read from the archive ({error})") from None

    def close(self) -> None:
        self._zip.close()


class _FolderArchive(Archive):
    def __init__(self, path: Path, problems: ProblemLog, report: IngestReport | None, suffixes: tuple[str, ...] | None):
        super().__init__(path, problems)
        self.names = [file.relative_to(path).as_posix() for file in folder_files(path, suffixes, report)]

    def read(self, name: str) -> bytes:
        try:
            with open(os.path.join(self._base, name), "rb") as stream:
                return self._read_capped(name, stream, os.fstat(stream.fileno()).st_size, None)
        except OSError as error:
            raise self._refuse(name, f"cannot be read ({error.strerror or error})") from None

    def close(self) -> None:
        """Nothing to release: each file is opened only while it is read."""


def open_archive(path: Path, problems: ProblemLog, report: IngestReport | None = None, suffixes: tuple[str, ...] | None = None) -> Archive:
    """Open a zip file, or a folder, as an :class:`Archive` of its regular files.

    Parameters
    ----------
    path : a zip file or a folder.
    problems : where refusals are recorded (they are raised as
        :class:`~orgnet.errors.IngestError`).
    report : where links skipped are counted (``symlinks_skipped``), if given.
    suffixes : keep only files with these suffixes (lower case, with the
        dot, e.g. ``(".json",)``); ``None`` keeps every file.

    Raises
    ------
    IngestError
        When ``path`` is not a readable zip file (truncated, garbage), or a
        member's name points outside the archive or appears twice.
    """
    if path.is_dir():
        return _FolderArchive(path, problems, report, suffixes)
    return _ZipArchive(path, problems, report, suffixes)


def _size(value: float) -> str:
    """A byte count for people: ``512 MiB``, ``1.5 KiB``, ``900 bytes``."""
    units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
    power = 0
    while value >= 1024 and power < len(units) - 1:
        value /= 1024
        power += 1
    return f"{int(value):,} bytes" if power == 0 else f"{value:.4g} {units[power]}"
