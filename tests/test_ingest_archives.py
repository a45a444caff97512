"""Archives read within limits: zip bombs, lying headers, names that escape, corrupt zips; a folder read the same way."""

from __future__ import annotations

import os
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from conftest import write

from orgnet.errors import IngestError
from orgnet.ingest import archives
from orgnet.ingest.archives import MAX_COMPRESSION_RATIO, open_archive
from orgnet.ingest.base import ProblemLog
from orgnet.model import IngestReport

MiB = 1 << 20


def deflated(data: bytes) -> bytes:
    """Raw deflate (as a zip holds it) of ``data``."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def deflated_repeat(block: bytes, copies: int) -> bytes:
    """Raw deflate of ``block * copies`` without compressing all of it: after a full flush each copy deflates alike."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH) == again
    return first + again * (copies - 2) + compressor.compress(block) + compressor.flush()


def raw_zip(path: Path, members: list[tuple[str, bytes, int, int]], flags: int = 0, version: int = 20) -> Path:
    """A zip written byte by byte, so its headers say what the test wants: (name, deflated bytes, declared size, CRC-32) each.

    ``flags`` and ``version`` (needed to extract, 20 for 2.0) go into every member's headers.
    """
    body, central = b"", b""
    for name, data, size, crc in members:
        encoded = name.encode()
        header = struct.pack("<4s5H3I2H", b"PK\x03\x04", version, flags, 8, 0, 0, crc, len(data), size, len(encoded), 0)
        central += struct.pack(
            "<4s6H3I5H2I", b"PK\x01\x02", 20, version, flags, 8, 0, 0, crc, len(data), size, len(encoded), 0, 0, 0, 0, 0, len(body)
        )
        central += encoded
        body += header + encoded + data
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(body), 0)
    path.write_bytes(body + central + end)
    return path


def member(name: str, data: bytes) -> tuple[str, bytes, int, int]:
    """An honest member: its real deflated bytes, size and CRC."""
    return name, deflated(data), len(data), zlib.crc32(data)


def space_bomb(gib: int) -> tuple[bytes, int, int]:
    """(deflated bytes, size, CRC) of ``gib`` GiB of spaces: about a megabyte per GiB."""
    block = b" " * MiB
    crc = 0
    for _ in range(gib * 1024):
        crc = zlib.crc32(block, crc)
    return deflated_repeat(block, gib * 1024), gib << 30, crc


def refusal(path: Path) -> str:
    """The one stopping reason of opening ``path`` and reading every file."""
    with pytest.raises(IngestError) as raised, open_archive(path, ProblemLog()) as archive:
        for name in archive.names:
            archive.read(name)
    [problem] = raised.value.problems
    return str(problem)


def test_zip_and_folder_list_the_same_files(tmp_path):
    folder = tmp_path / "export"
    (folder / "general").mkdir(parents=True)
    write(folder / "users.json", "[]")
    write(folder / "general" / "2026-05-04.json", "[1]")
    write(folder / "notes.txt", "x")
    (folder / "link.json").symlink_to(folder / "users.json")
    zipped = tmp_path / "export.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("users.json", "[]")
        # Windows tools write backslashes; macOS adds __MACOSX/ and ._ files; folders may have entries of their own.
        archive.writestr("general\\2026-05-04.json", "[1]")
        archive.writestr("general/", "")
        archive.writestr("__MACOSX/general/._2026-05-04.json", "\x00\x05")
        archive.writestr(".DS_Store", "\x00")
        archive.writestr("notes.txt", "x")
        link = zipfile.ZipInfo("link.json")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "users.json")
    for path in (folder, zipped):
        report = IngestReport("slack", str(path))
        with open_archive(path, ProblemLog(), report, suffixes=(".json",)) as archive:
            assert archive.names == ["general/2026-05-04.json", "users.json"]
            assert archive.read("general/2026-05-04.json") == b"[1]"
            assert archive.label("users.json") == f"{path}/users.json"
        assert report.counts == {"symlinks_skipped": 1}


@pytest.mark.parametrize(
    "name", ["../users.json", "general/../../users.json", "/etc/users.json", "C:\\export\\users.json", "c:users.json", "..\\users.json"]
)
def test_a_member_whose_name_escapes_refuses_the_whole_archive(tmp_path, name):
    path = raw_zip(tmp_path / "export.zip", [member("users.json", b"[]"), member(name, b"[]")])
    assert refusal(path) == f"{path}: member {name!a} points outside the archive: refused"


def test_a_member_given_twice_refuses_the_archive(tmp_path):
    path = raw_zip(tmp_path / "export.zip", [member("general/2026-05-04.json", b"[]"), member("general/2026-05-04.json", b"[1]")])
    assert refusal(path) == f"{path}: member 'general/2026-05-04.json' appears twice: refused"


def test_a_gigabyte_bomb_is_refused_before_a_byte_of_it_is_read(tmp_path):
    data, size, crc = space_bomb(1)
    path = raw_zip(tmp_path / "export.zip", [member("users.json", b"[]"), ("general/2026-05-04.json", data, size, crc)])
    assert path.stat().st_size < 1.1 * MiB
    tracemalloc.start()
    try:
        reason = refusal(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert reason == f"{path}/general/2026-05-04.json: expands to more than 512 MiB, the most one file of an export may hold"
    assert peak < 8 * MiB


def test_a_member_expanding_past_the_ratio_is_a_bomb(tmp_path):
    data = b" " * (2 * MiB)
    path = raw_zip(tmp_path / "export.zip", [member("users.json", data)])
    compressed = len(deflated(data))
    assert len(data) > MAX_COMPRESSION_RATIO * compressed
    assert refusal(path) == (
        f"{path}/users.json: expands more than 250 times its compressed size of {compressed / 1024:.4g} KiB: a zip bomb, not an export"
    )


def test_a_small_member_may_compress_any_which_way(tmp_path):
    data = b" " * (MiB // 2)
    path = raw_zip(tmp_path / "export.zip", [member("users.json", data)])
    with open_archive(path, ProblemLog()) as archive:
        assert archive.read("users.json") == data


def test_a_header_that_understates_the_size_is_never_believed(tmp_path):
    # The member holds 4 MiB but declares 1,000 bytes: no more than 1,000 are ever taken, and the member is refused.
    data = os.urandom(MiB) * 4
    name, compressed, _, crc = member("users.json", data)
    path = raw_zip(tmp_path / "export.zip", [(name, compressed, 1000, crc)])
    assert refusal(path).startswith(f"{path}/users.json: cannot be read from the archive (Bad CRC-32")


def test_the_total_is_bounded_across_members(tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "MAX_TOTAL_BYTES", 2500)
    path = raw_zip(tmp_path / "export.zip", [member(f"general/2026-05-0{day}.json", os.urandom(1000)) for day in (1, 2, 3)])
    assert refusal(path) == f"{path}/general/2026-05-03.json: the export expands to more than 2.441 KiB, the most one ingest reads"


def test_a_folder_file_past_the_limit_is_refused_unread(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    # 2 GB, sparse: its size alone refuses it, so what it holds is never read.
    with (folder / "users.json").open("wb") as handle:
        handle.truncate(2_000_000_000)
    assert refusal(folder) == f"{folder}/users.json: expands to more than 512 MiB, the most one file of an export may hold"


def test_an_encrypted_member_is_refused(tmp_path):
    path = raw_zip(tmp_path / "export.zip", [member("users.json", b"[]")], flags=0x1)
    assert refusal(path) == f"{path}/users.json: is encrypted; export the archive again without a password"


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_a_truncated_zip_or_garbage_is_not_a_zip(tmp_path, cut):
    whole = raw_zip(tmp_path / "whole.zip", [member("users.json", os.urandom(5000))]).read_bytes()
    path = tmp_path / "export.zip"
    path.write_bytes(whole[: int(len(whole) * cut)])
    assert refusal(path) == f"{path}: not a zip file, or a truncated one (File is not a zip file)"
    path.write_bytes(b"PK\x03\x04 garbage")
    assert refusal(path) == f"{path}: not a zip file, or a truncated one (File is not a zip file)"


def test_a_zip_of_a_version_zipfile_cannot_read_is_one_error(tmp_path):
    # Found by flipping bytes of a real zip: zipfile raises NotImplementedError for a "version needed" above 6.3.
    path = raw_zip(tmp_path / "export.zip", [member("users.json", b"[]")], version=243)
    assert refusal(path) == f"{path}: not a zip file, or a truncated one (zip file version 24.3)"


def test_a_member_without_a_name_is_no_file(tmp_path):
    # Also found by flipping bytes: zipfile's is_dir() fails on an empty name.
    path = raw_zip(tmp_path / "export.zip", [member("", b"[]"), member("users.json", b"[]")])
    with open_archive(path, ProblemLog()) as archive:
        assert archive.names == ["users.json"]
