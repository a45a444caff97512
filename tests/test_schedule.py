"""The scheduler with a controllable clock: runs and records, never overlaps, catches up a missed run once, keeps the last report on failure."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import time
from pathlib import Path

import pytest

from orgnet.api.report_cli import schedule_steps
from orgnet.errors import OrgnetError
from orgnet.schedule import JobConfig, ScheduleConfig, Scheduler, Steps, cron_trigger, latest_fire, load_config, run_job, target_period
from orgnet.store.sqlite import SQLiteStore

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
UTC = dt.UTC


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def setup(tmp_path):
    """A drop folder with the samples' roster and interactions, a monthly job, an empty store."""
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(SAMPLES / "roster.csv", drop / "roster.csv")
    shutil.copy(SAMPLES / "interactions.csv", drop / "interactions.csv")
    config = tmp_path / "schedule.toml"
    config.write_text(
        """
[[jobs]]
name = "monthly"
cron = "0 6 1 * *"
folders = ["drop"]
report_dir = "reports"
keep = 2
[jobs.sources]
"roster*.csv" = "roster"
"interactions*.csv" = "interactions"
""",
        encoding="utf-8",
    )
    store = SQLiteStore(tmp_path / "orgnet.db")
    yield load_config(config), store, tmp_path
    store.close()


def test_config_and_rules(setup, tmp_path):
    config, _, root = setup
    job = config.jobs[0]
    assert job.folders == [root / "drop"] and job.report_dir == root / "reports" and job.keep == 2
    assert target_period("previous-month", dt.datetime(2026, 11, 1, 6, tzinfo=UTC)) == "2026-10"
    assert target_period("previous-month", dt.datetime(2027, 1, 1, 6, tzinfo=UTC)) == "2026-12"
    due = latest_fire(cron_trigger(job), dt.datetime(2026, 8, 15, tzinfo=UTC), dt.datetime(2026, 11, 20, tzinfo=UTC))
    assert due == dt.datetime(2026, 11, 1, 6, tzinfo=UTC)
    bad = tmp_path / "bad.toml"
    bad.write_text('[[jobs]]\nname = "x"\ncron = "61 * * * *"\n', encoding="utf-8")
    with pytest.raises(OrgnetError, match="bad cron rule"):
        load_config(bad)


def test_run_catch_up_overlap_and_failure(setup):
    config, store, root = setup
    job = config.jobs[0]
    steps = schedule_steps(min_group_size=5)
    clock = Clock(dt.datetime(2026, 10, 15, 7, tzinfo=UTC))
    scheduler = Scheduler(store, config, steps, clock)
    # First start: the rule holds from now, so nothing was missed yet.
    assert scheduler.catch_up() == []

    # Due on 1 November at 06:00; the scheduler was down then, and starts on the 3rd: one catch-up run,
    # which ingests the drop folder, analyses October (and September, to compare with) and writes the report.
    clock.now = dt.datetime(2026, 11, 3, 9, tzinfo=UTC)
    runs = scheduler.catch_up()
    assert [(r.status, r.scheduled_for) for r in runs] == [("succeeded", "2026-11-01T06:00:00.000000Z")], runs
    assert "ingested 2 new file(s); analysed 2026-10" in runs[0].detail
    page = root / "reports" / "2026-10" / "report.html"
    assert page.is_file() and "2026-09 to 2026-10" in page.read_text(encoding="utf-8")
    # Starting again the same day catches up nothing more.
    assert scheduler.catch_up() == []

    # While a run is under way, another is refused and recorded as skipped.
    assert store.claim_run(job.name, "busy", "2027-01-01T06:00:00Z", "2027-01-01T06:00:01Z", "2026-12-31T00:00:00Z")
    skipped = run_job(store, job, steps, dt.datetime(2027, 1, 1, 6, tzinfo=UTC), Clock(dt.datetime(2027, 1, 1, 6, 0, 5, tzinfo=UTC)))
    assert skipped.status == "skipped" and "busy" in skipped.detail
    store.finish_run("busy", "succeeded", "2027-01-01T06:00:02Z")

    # A broken file in the drop folder: the run fails, says why, and the previous report stays.
    before = page.read_bytes()
    (root / "drop" / "interactions-broken.csv").write_bytes(b"sender,recipients\n\x00\xff\xfe garbage")
    failed = scheduler.tick(job) or run_job(store, job, steps, dt.datetime(2026, 11, 1, 6, tzinfo=UTC), clock)
    assert failed.status == "failed" and "interactions-broken.csv" in failed.detail
    assert page.read_bytes() == before
    assert sorted(r.status for r in store.runs(job.name)) == ["failed", "skipped", "succeeded", "succeeded"]


def test_unknown_dropped_file_fails_the_run(setup):
    config, store, root = setup
    (root / "drop" / "notes.txt").write_text("?", encoding="utf-8")
    run = run_job(store, config.jobs[0], schedule_steps(5), dt.datetime(2026, 11, 1, 6, tzinfo=UTC))
    assert run.status == "failed" and "no source for" in run.detail and "notes.txt" in run.detail


def test_apscheduler_fires_and_never_overlaps(tmp_path):
    """A real APScheduler on a per-second rule, whose runs take longer than a second."""
    calls: list[float] = []
    active = threading.Semaphore(1)

    def slow_ingest(store, source, path):
        assert active.acquire(blocking=False), "two runs overlapped"
        calls.append(time.monotonic())
        time.sleep(1.5)
        active.release()
        raise OrgnetError("stop after ingesting")  # the run ends here, recorded as failed

    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "roster.csv").write_text("x", encoding="utf-8")
    job = JobConfig(name="fast", cron="* * * * * *", folders=[drop], sources={"*.csv": "roster"})
    store = SQLiteStore(tmp_path / "orgnet.db")
    running = Scheduler(store, ScheduleConfig(jobs=[job]), Steps(ingest=slow_ingest)).start(background=True)
    time.sleep(4.2)
    running.shutdown(wait=True)
    runs = store.runs("fast")
    store.close()
    assert 2 <= len(calls) <= 3
    assert runs and all(r.status == "failed" and "stop after ingesting" in r.detail for r in runs)


def test_a_job_by_another_grouping_analyses_and_reports_by_it(setup):
    config, store, _ = setup
    job = config.jobs[0]
    assert job.by == "department"
    job.by = "level"
    run = run_job(store, job, schedule_steps(5), dt.datetime(2026, 11, 1, 6, tzinfo=UTC))
    assert run.status == "succeeded" and "analysed 2026-10 by level" in run.detail, run.detail
    from orgnet.api.reports import list_reports

    (record,) = list_reports(store)
    # Both months were analysed by level, and the report compares levels.
    assert record["by"] == "level" and record["id"] == "2026-09_2026-10_by_level"
    assert "between levels" in Path(record["html"]).read_text(encoding="utf-8")
