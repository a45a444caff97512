"""Scheduled runs: ingest dropped files, analyse a period and write its growth report on a cron-like rule.

A small TOML (or JSON) file describes the jobs::

    store = "orgnet.db"            # optional; else --store / ORGNET_STORE

    [[jobs]]
    name = "monthly"
    cron = "0 6 1 * *"             # minute hour day month weekday (a sixth, leading field: seconds)
    timezone = "UTC"
    folders = ["/srv/orgnet/drop"]
    analyse = "previous-month"     # or "current-month"
    report_dir = "/srv/orgnet/reports"
    by = "department"              # grouping analysed and compared (location, level, any HR attribute)
    keep = 12                      # reports kept in report_dir
    [jobs.sources]                 # file name pattern -> source, first match wins
    "roster*.csv" = "roster"
    "*.mbox" = "email"

Each run is recorded in the store (:meth:`orgnet.store.Store.claim_run`):
a run never starts while another run of its job is under way, in this
process or another; its end is recorded as ``succeeded`` or ``failed`` with
the reason. A run due while the scheduler was down is caught up once when it
starts (:meth:`Scheduler.catch_up`). A failed run replaces nothing: the
analysis is computed before any result is written, and the report is written
aside and moved into place only when complete.

The core does not know how to ingest a file or draw a report; the caller
passes those steps (:class:`Steps`), so data keeps flowing one way.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import logging
import shutil
import tomllib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from orgnet.analysis import AnalysisOptions, analyze
from orgnet.defaults import DEFAULT_BY
from orgnet.errors import OrgnetError
from orgnet.jobs import SUMMARY
from orgnet.model import ScheduleRun
from orgnet.results import has, load_document, save_document
from orgnet.snapshots import previous_period
from orgnet.store import Store

__all__ = [
    "ANALYSE_RULES",
    "JobConfig",
    "ScheduleConfig",
    "Scheduler",
    "Steps",
    "cron_trigger",
    "latest_fire",
    "load_config",
    "run_job",
    "target_period",
]

log = logging.getLogger(__name__)

ANALYSE_RULES = ("previous-month", "current-month")

#: Kind of the stored documents (keyed by job name) recording each job's rule and since when it holds, for catch-up.
SCHEDULE_DOCUMENT = "schedule"


@dataclass
class JobConfig:
    """One scheduled job (see the module docstring for the file format)."""

    name: str
    cron: str
    folders: list[Path] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    analyse: str = "previous-month"
    report_dir: Path | None = None
    #: The grouping the period is analysed with and its report compares (``orgnet analyze --by``).
    by: str = DEFAULT_BY
    keep: int = 12
    timezone: str = "UTC"
    #: A run still ``running`` this long after it started is taken as abandoned.
    stale_after: dt.timedelta = dt.timedelta(hours=6)

    def source_of(self, path: Path) -> str:
        """The source of a dropped file, from the first pattern of :attr:`sources` its name matches."""
        for pattern, source in self.sources.items():
            if fnmatch.fnmatch(path.name, pattern):
                return source
        raise OrgnetError(f"no source for {path}: add a pattern matching {path.name!r} to [jobs.sources] of job {self.name!r}")


@dataclass
class ScheduleConfig:
    """A schedule: its jobs and, optionally, the store they run on."""

    jobs: list[JobConfig]
    store: str | None = None


@dataclass
class Steps:
    """What a run does besides analysing: ``ingest(store, source, path)`` and ``report(store, before, after, out, by)``."""

    ingest: Callable[[Store, str, Path], Any]
    report: Callable[[Store, str, str, Path, str], Any] | None = None


def load_config(path: str | Path) -> ScheduleConfig:
    """Read a schedule from a TOML file (or JSON, by its ``.json`` suffix); relative folders are taken from the file's folder.

    Raises
    ------
    OrgnetError
        On a missing file, bad syntax, an unknown key, a bad cron rule or analyse rule.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as error:
        raise OrgnetError(f"cannot read the schedule {path}: {error}") from error
    base = path.resolve().parent
    jobs = []
    for entry in raw.get("jobs", []):
        unknown = set(entry) - {
            "name",
            "cron",
            "folders",
            "sources",
            "analyse",
            "report_dir",
            "by",
            "keep",
            "timezone",
            "stale_after_hours",
        }
        if unknown:
            raise OrgnetError(f"{path}: unknown key(s) {', '.join(sorted(unknown))} in job {entry.get('name', '?')!r}")
        if entry.get("analyse", "previous-month") not in ANALYSE_RULES:
            raise OrgnetError(f"{path}: analyse must be one of {', '.join(ANALYSE_RULES)}")
        job = JobConfig(
            name=str(entry["name"]),
            cron=str(entry["cron"]),
            folders=[base / folder for folder in entry.get("folders", [])],
            sources=dict(entry.get("sources", {})),
            analyse=entry.get("analyse", "previous-month"),
            report_dir=base / entry["report_dir"] if entry.get("report_dir") else None,
            by=str(entry.get("by", DEFAULT_BY)),
            keep=int(entry.get("keep", 12)),
            timezone=str(entry.get("timezone", "UTC")),
            stale_after=dt.timedelta(hours=float(entry.get("stale_after_hours", 6))),
        )
        cron_trigger(job)
        jobs.append(job)
    if not jobs:
        raise OrgnetError(f"{path} names no [[jobs]]")
    return ScheduleConfig(jobs=jobs, store=raw.get("store"))


def cron_trigger(job: JobConfig) -> CronTrigger:
    """The APScheduler trigger of a job's rule: five crontab fields, or six with seconds first."""
    fields = job.cron.split()
    try:
        if len(fields) == 5:
            return CronTrigger.from_crontab(job.cron, timezone=job.timezone)
        if len(fields) == 6:
            second, minute, hour, day, month, day_of_week = fields
            return CronTrigger(
                second=second, minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week, timezone=job.timezone
            )
    except ValueError as error:
        raise OrgnetError(f"job {job.name!r}: bad cron rule {job.cron!r}: {error}") from error
    raise OrgnetError(f"job {job.name!r}: a cron rule has 5 fields (or 6, seconds first), not {len(fields)}: {job.cron!r}")


def target_period(rule: str, due: dt.datetime) -> str:
    """The month a run due at ``due`` analyses: the one before ``due``'s month, or ``due``'s own."""
    if rule == "current-month":
        return f"{due.year:04d}-{due.month:02d}"
    first = due.replace(day=1)
    last_month = first - dt.timedelta(days=1)
    return f"{last_month.year:04d}-{last_month.month:02d}"


def latest_fire(trigger: CronTrigger, since: dt.datetime, now: dt.datetime) -> dt.datetime | None:
    """The last time in ``(since, now]`` the trigger fires, or ``None`` when it does not fire then.

    Steps through every fire time in between: a few for a monthly rule, one
    per second of downtime for a per-second rule.
    """
    latest = None
    fire = trigger.get_next_fire_time(None, since + dt.timedelta(microseconds=1))
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + dt.timedelta(microseconds=1))
    return latest


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _dropped_files(job: JobConfig) -> list[Path]:
    files = []
    for folder in job.folders:
        if not folder.is_dir():
            raise OrgnetError(f"job {job.name!r}: the folder {folder} does not exist")
        files += sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".") and not p.name.endswith(".rejects.csv"))
    # The roster goes first: every other source is matched against its people.
    return sorted(files, key=lambda p: (job.source_of(p) != "roster", str(p)))


def _prune(report_dir: Path, keep: int) -> list[str]:
    """Remove all but the ``keep`` newest report folders (named by period) of ``report_dir``."""
    folders = sorted((p for p in report_dir.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name)
    removed = folders[: max(len(folders) - keep, 0)]
    for folder in removed:
        shutil.rmtree(folder)
    return [folder.name for folder in removed]


def _analyse(store: Store, period: str, by: str) -> None:
    """Analyse ``period``, and group it by ``by`` too: the person-level results a report reads are kept with the
    department analysis."""
    analyze(store, period, period)
    if by != DEFAULT_BY:
        analyze(store, period, period, AnalysisOptions(by=by))


def run_job(store: Store, job: JobConfig, steps: Steps, due: dt.datetime, clock: Callable[[], dt.datetime] = _utcnow) -> ScheduleRun:
    """Run ``job`` once for its due time ``due``, recording the run in ``store``.

    Steps: ingest every file of the job's folders (files already ingested
    are no-ops), analyse the target period (and the period before it, when
    not analysed yet, so the report has something to compare with), write the
    report to ``report_dir/PERIOD`` and keep the newest ``keep`` reports.

    Returns
    -------
    The recorded :class:`~orgnet.model.ScheduleRun`: ``skipped`` when another
    run of the job is under way, ``failed`` with the reason, or ``succeeded``.
    """
    run_id = uuid.uuid4().hex
    started = clock()
    if not store.claim_run(job.name, run_id, _iso(due), _iso(started), _iso(started - job.stale_after)):
        log.warning("job %s: run due %s skipped, another run is under way", job.name, _iso(due))
        return _run(store, job.name, run_id)
    try:
        ingested = 0
        for path in _dropped_files(job):
            ingested += not getattr(steps.ingest(store, job.source_of(path), path), "skipped", False)
        period = target_period(job.analyse, due.astimezone(dt.UTC))
        _analyse(store, period, job.by)
        detail = f"ingested {ingested} new file(s); analysed {period}" + (f" by {job.by}" if job.by != DEFAULT_BY else "")
        before = previous_period(store.periods(), period)
        if before is not None and not has(store, SUMMARY, before, by=job.by):
            _analyse(store, before, job.by)
        if job.report_dir is not None and steps.report is not None:
            steps.report(store, before or period, period, job.report_dir / period, job.by)
            removed = _prune(job.report_dir, job.keep)
            detail += f"; report {job.report_dir / period}" + (f"; removed old reports {', '.join(removed)}" if removed else "")
    except Exception as error:  # every failure is recorded with its reason; the scheduler keeps going
        log.exception("job %s: run %s failed", job.name, run_id)
        store.finish_run(run_id, "failed", _iso(clock()), f"{type(error).__name__}: {error}")
    else:
        store.finish_run(run_id, "succeeded", _iso(clock()), detail)
    return _run(store, job.name, run_id)


def _run(store: Store, job: str, run_id: str) -> ScheduleRun:
    return next(run for run in store.runs(job, limit=1000) if run.run_id == run_id)


class Scheduler:
    """Runs the jobs of a :class:`ScheduleConfig` on one store.

    Parameters
    ----------
    store : the store the jobs read and write (and their run history lives in).
    config : the schedule.
    steps : how to ingest a file and write a report.
    clock : the current time (aware); tests pass a controllable one.
    """

    def __init__(self, store: Store, config: ScheduleConfig, steps: Steps, clock: Callable[[], dt.datetime] = _utcnow):
        self.store = store
        self.config = config
        self.steps = steps
        self.clock = clock

    def register(self) -> None:
        """Record each job's rule in the store; a new or changed rule holds from now (nothing before it was missed)."""
        for job in self.config.jobs:
            stored = load_document(self.store, SCHEDULE_DOCUMENT, job.name)
            if stored is None or stored.get("cron") != job.cron or stored.get("timezone") != job.timezone:
                save_document(
                    self.store, SCHEDULE_DOCUMENT, job.name, {"cron": job.cron, "timezone": job.timezone, "since": _iso(self.clock())}
                )

    def missed(self, job: JobConfig) -> dt.datetime | None:
        """The latest due time of ``job`` up to now that no run started for, or ``None``.

        Only the latest counts: a scheduler down for three months catches up
        once, not three times.
        """
        stored = load_document(self.store, SCHEDULE_DOCUMENT, job.name)
        if stored is None:
            return None
        since = dt.datetime.fromisoformat(stored["since"].replace("Z", "+00:00"))
        runs = [r for r in self.store.runs(job.name) if r.status != "skipped"]
        if runs:
            since = max(since, dt.datetime.fromisoformat(runs[0].scheduled_for.replace("Z", "+00:00")))
        return latest_fire(cron_trigger(job), since, self.clock())

    def catch_up(self) -> list[ScheduleRun]:
        """Run once every job whose latest due time passed without a run."""
        self.register()
        done = []
        for job in self.config.jobs:
            due = self.missed(job)
            if due is not None:
                log.info("job %s: catching up the run due %s", job.name, _iso(due))
                done.append(run_job(self.store, job, self.steps, due, self.clock))
        return done

    def tick(self, job: JobConfig) -> ScheduleRun | None:
        """Run ``job`` for its latest due time, unless a run already started for it (what the cron trigger calls)."""
        due = self.missed(job)
        return None if due is None else run_job(self.store, job, self.steps, due, self.clock)

    def start(self, background: bool = False) -> BaseScheduler:
        """Catch up, then run every job on its rule.

        Blocks until interrupted; with ``background``, returns the running
        APScheduler instead (stop it with ``shutdown()``).
        """
        self.catch_up()
        scheduler = (BackgroundScheduler if background else BlockingScheduler)(timezone=dt.UTC)
        for job in self.config.jobs:
            # One instance at a time in this process (the store's claim covers other processes);
            # a fire delayed by a long run still happens once, late, rather than being dropped.
            scheduler.add_job(
                self.tick, cron_trigger(job), args=[job], id=job.name, max_instances=1, coalesce=True, misfire_grace_time=None
            )
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            scheduler.shutdown(wait=False)
        return scheduler
