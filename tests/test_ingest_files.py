"""Folder walks: regular files only, links never followed, whatever they point at."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from conftest import write

from orgnet.ingest.files import folder_files
from orgnet.ingest.pipeline import content_hash
from orgnet.model import IngestReport


def test_links_are_never_followed_and_are_counted(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    write(outside / "secret.ics", "BEGIN:VCALENDAR\nEND:VCALENDAR\n")
    folder = tmp_path / "drop"
    (folder / "team").mkdir(parents=True)
    write(folder / "team" / "a.ics", "a")
    write(folder / "b.ICS", "b")
    write(folder / "notes.txt", "c")
    write(folder / ".hidden.ics", "d")
    (folder / "escape.ics").symlink_to(outside / "secret.ics")
    (folder / "escape-dir").symlink_to(outside, target_is_directory=True)
    (folder / "inside.ics").symlink_to(folder / "b.ICS")
    report = IngestReport("ics", str(folder))
    assert folder_files(folder, (".ics",), report) == [folder / "b.ICS", folder / "team" / "a.ics"]
    assert report.counts == {"symlinks_skipped": 3}
    assert folder_files(folder) == [folder / "b.ICS", folder / "notes.txt", folder / "team" / "a.ics"]


def test_the_content_hash_covers_what_is_read_not_what_links_point_at(tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    write(folder / "a.csv", "x")
    before = content_hash(folder)
    target = write(tmp_path / "elsewhere.csv", "y")
    (folder / "link.csv").symlink_to(target)
    assert content_hash(folder) == before
    target.write_text("z")
    assert content_hash(folder) == before


def test_the_content_hash_sees_hidden_folders_a_maildir_keeps_mail_in(tmp_path):
    folder = tmp_path / "mail"
    write_at = folder / ".Sent" / "cur"
    write_at.mkdir(parents=True)
    write(write_at / "1.host:2,S", "From: ann@acme.example\n")
    before = content_hash(folder)
    write(write_at / "2.host:2,S", "From: bob@acme.example\n")
    assert content_hash(folder) != before
    assert folder_files(folder) == [] and len(folder_files(folder, hidden=True)) == 2


def test_an_unreadable_file_is_hashed_as_such_for_its_reader_to_report(tmp_path):
    folder = Path(tempfile.mkdtemp())  # outside pytest's folders, which only their owner may enter
    try:
        folder.chmod(0o755)
        secret = write(folder / "a.csv", "x")
        secret.chmod(0)
        root = os.geteuid() == 0
        if root:
            os.seteuid(65534)  # root reads anything: look as an unprivileged scheduler would
        try:
            digest = content_hash(folder)
            report = IngestReport("interactions", str(folder))
            assert folder_files(folder, report=report) == [secret]
        finally:
            if root:
                os.seteuid(0)
        assert digest != content_hash(folder)  # readable again, the bytes count
    finally:
        shutil.rmtree(folder)
