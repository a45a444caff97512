"""Folder walks: regular files only, links never followed, whatever they point at."""

from __future__ import annotations

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
