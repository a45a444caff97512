"""The audit log of person-level reads, written by a background writer so that no read waits for it.

Every read of person-level data is recorded with :meth:`AuditBuffer.record`
before it is answered; that only appends the entry to a bounded queue in
memory. A writer thread of its own writes what has gathered to the store every
``interval`` seconds (0.5 s by default) or as soon as ``batch`` entries wait,
in one transaction (on a connection of its own: see
:class:`orgnet.store.sqlite.SQLiteStore`). A read is never made to wait
for that write, whoever holds the store's write lock; instead:

* while the store is locked by another writer (an ingest, an analysis,
  another process), entries wait in the queue and the writer tries again;
  once the queue holds ``capacity`` entries, person-level reads are refused
  (:class:`AuditUnavailable`, a JSON 503) until the writer catches up;
* when a write fails for any other reason (a read-only or full disk, a
  broken file), person-level reads are refused at once, until a write
  succeeds again; the entries already queued are kept and written then.

Each change of state is logged once on the ``orgnet.api`` logger (an error
when reads are refused, a warning while the writer waits for the lock, and a
line when it writes again). So a read is either answered with its entry in the
queue, or refused: never served unaudited.

Nothing is lost on a normal shutdown: the app's lifespan calls
:meth:`AuditBuffer.close`, which lets the writer write everything queued,
waiting up to ``shutdown_wait`` seconds (30) for the store; an entry it still
cannot write is counted in an error line. ``GET /api/v1/audit`` calls
:meth:`AuditBuffer.flush`, so the log it shows includes every read answered
before. A crash of the process (SIGKILL, power loss) loses the entries still
queued: normally those of the last ``interval``, at most ``capacity`` while the
store stays locked.
"""

from __future__ import annotations

import collections
import logging
import threading
import time

from fastapi import HTTPException

from orgnet.access import Principal, audit_entry
from orgnet.errors import StoreBusy
from orgnet.model import AuditEntry
from orgnet.store import Store

__all__ = ["AuditBuffer", "AuditUnavailable"]

logger = logging.getLogger("orgnet.api")

#: Seconds a caller told to come back (``Retry-After``) should wait.
RETRY_AFTER = 5


class AuditUnavailable(HTTPException):
    """The read cannot be audited, so it is refused: 503 with ``Retry-After``, answered as JSON like every error."""

    def __init__(self, detail: str):
        super().__init__(503, detail, headers={"Retry-After": str(RETRY_AFTER)})


class AuditBuffer:
    """Audit entries waiting to be written, and the thread that writes them.

    Parameters
    ----------
    store : where the entries go (:meth:`orgnet.store.Store.append_audit`).
    interval : most seconds an entry waits while the store can be written
        (``ORGNET_AUDIT_INTERVAL``).
    batch : entries that trigger a write before ``interval`` is up (``ORGNET_AUDIT_BATCH``).
    capacity : most entries waiting; reads beyond them are refused (``ORGNET_AUDIT_QUEUE``;
        each entry takes about 300 bytes).
    shutdown_wait : most seconds :meth:`close` waits for the store.
    """

    def __init__(self, store: Store, *, interval: float, batch: int, capacity: int, shutdown_wait: float = 30.0):
        self.store = store
        self.interval = interval
        self.batch = batch
        self.capacity = capacity
        self.shutdown_wait = shutdown_wait
        # Entries stay queued until written: the writer copies a prefix, writes it, then drops it.
        self._pending: collections.deque[AuditEntry] = collections.deque()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._recorded = 0
        self._written = 0
        self._urgent = False
        self._failure: str | None = None  # why the store refused the last write (not a lock held elsewhere)
        self._busy_since: float | None = None
        self._refused = 0
        self._closed = False
        self._give_up_at = float("inf")
        self._thread: threading.Thread | None = None

    def record(self, principal: Principal, action: str, target: str) -> None:
        """Queue one read of person-level data by ``principal``: ``action`` on ``target``, now.

        Raises
        ------
        AuditUnavailable
            When the entry cannot be queued (the queue is full) or the store
            refuses audit entries: the read must not be answered.
        """
        entry = audit_entry(principal, action, target)
        with self._lock:
            refusal = self._refusal()
            if refusal is not None:
                if not self._refused and self._failure is None:
                    # (A store that refuses the entries was logged with its error by the writer when it found out.)
                    logger.error("audit: %s (%d entries wait); person-level reads are refused (503)", refusal, len(self._pending))
                self._refused += 1
                # The caller learns why in general terms; the server log has the store's own error.
                raise AuditUnavailable(f"the read cannot be audited now: {refusal}; try again later")
            self._pending.append(entry)
            self._recorded += 1
            self._start()
            if len(self._pending) >= self.batch and not self._urgent:
                self._urgent = True
                self._changed.notify_all()

    def _refusal(self) -> str | None:
        """Why a read cannot be queued now, or ``None``; called under the lock."""
        if self._closed:
            return "the service is shutting down"
        if self._failure is not None:
            return "the audit log cannot be written"
        if len(self._pending) >= self.capacity:
            return "the audit log is full, waiting for the store's write lock"
        return None

    def _start(self) -> None:
        # Started on the first entry, not at construction: an app that never serves needs no thread.
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="orgnet-audit", daemon=True)
            self._thread.start()

    def flush(self, timeout: float = 5.0) -> None:
        """Return once every entry recorded before this call is in the store.

        Raises
        ------
        AuditUnavailable
            When they are not written within ``timeout`` seconds (the store is
            locked or refuses the entries): a log shown now would miss reads.
        """
        with self._lock:
            target = self._recorded
            if self._written >= target:
                return
            self._start()
            self._urgent = True
            self._changed.notify_all()
            if not self._changed.wait_for(lambda: self._written >= target, timeout):
                waiting = target - self._written
                reason = "the audit log cannot be written" if self._failure else "the store is locked by another writer"
                raise AuditUnavailable(f"{waiting:,} audit entries are not written yet ({reason}); try again later")

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._urgent and not self._closed:
                    self._changed.wait_for(lambda: self._urgent or self._closed, self.interval)
                self._urgent = False
                if not self._pending or (self._closed and time.monotonic() > self._give_up_at):
                    if self._closed:
                        return
                    continue
                entries = list(self._pending)
            try:
                self.store.append_audit(entries)
            except StoreBusy as error:
                # The store waited for its write lock already: try again at once.
                self._waiting(str(error))
            except Exception as error:
                self._failed(error)
            else:
                self._wrote(len(entries))

    def _wrote(self, count: int) -> None:
        with self._lock:
            for _ in range(count):
                self._pending.popleft()
            self._written += count
            if self._failure is not None or self._busy_since is not None:
                waited = f" after {time.monotonic() - self._busy_since:.0f} s" if self._busy_since is not None else ""
                logger.warning(
                    "audit: the log is written again%s (%d entries that waited); %d person-level reads were refused meanwhile",
                    waited,
                    count,
                    self._refused,
                )
            self._failure, self._busy_since, self._refused = None, None, 0
            self._changed.notify_all()

    def _waiting(self, reason: str) -> None:
        with self._lock:
            if self._busy_since is None:
                self._busy_since = time.monotonic()
                logger.warning(
                    "audit: %s; %d entries wait in memory (at most %d, then reads are refused)", reason, len(self._pending), self.capacity
                )

    def _failed(self, error: Exception) -> None:
        with self._lock:
            if self._failure is None:
                self._busy_since = self._busy_since or time.monotonic()
                logger.error(
                    "audit: the log cannot be written (%s); person-level reads are refused until it can; %d entries wait in memory",
                    error,
                    len(self._pending),
                )
            self._failure = str(error) or type(error).__name__
            # Try again after an interval, also while closing: the store may take the entries before the deadline.
            self._changed.wait(self.interval)

    def close(self) -> None:
        """Write what is queued and stop the writer (the lifespan calls this on shutdown).

        Waits up to ``shutdown_wait`` seconds for the store; entries still not
        written then are counted in an error line of the log.
        """
        with self._lock:
            self._closed = True
            self._give_up_at = time.monotonic() + self.shutdown_wait
            thread, self._thread = self._thread, None
            self._changed.notify_all()
        if thread is not None:
            # The writer gives up at the deadline, after the write under way (the store bounds its wait).
            thread.join()
        with self._lock:
            lost = len(self._pending)
            self._pending.clear()
            self._recorded -= lost
        if lost:
            logger.error(
                "audit: %d entries could not be written before shutdown (%s): the reads they record are missing from the audit log",
                lost,
                self._failure or "the store stayed locked",
            )

    def open(self) -> None:
        """Accept entries again after :meth:`close` (the app started again in the same process)."""
        with self._lock:
            self._closed = False
            self._give_up_at = float("inf")
