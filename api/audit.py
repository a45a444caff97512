"""The audit log of person-level reads, written in batches off the request path.

Every read of person-level data is recorded with :meth:`AuditBuffer.record`,
which only appends to a list in memory. A background thread writes what has
gathered to the store every ``interval`` seconds (0.5 s by default) or as soon
as ``batch`` entries wait, in one transaction. Nothing is lost on a normal
shutdown: the app's lifespan calls :meth:`AuditBuffer.close`, which writes
the rest; ``GET /api/v1/audit`` flushes first, so the log it shows includes
every read answered before. A crash of the process (SIGKILL, power loss) can
lose at most the last ``interval`` seconds of entries.
"""

from __future__ import annotations

import logging
import threading

from orgnet.access import Principal, audit_entry
from orgnet.model import AuditEntry
from orgnet.store import Store

__all__ = ["AuditBuffer"]

logger = logging.getLogger("orgnet.api")


class AuditBuffer:
    """Audit entries waiting to be written, and the thread that writes them.

    Parameters
    ----------
    store : where the entries go (:meth:`orgnet.store.Store.append_audit`).
    interval : most seconds an entry waits.
    batch : entries that trigger a write before ``interval`` is up.
    """

    def __init__(self, store: Store, interval: float = 0.5, batch: int = 500):
        self.store = store
        self.interval = interval
        self.batch = batch
        self._pending: list[AuditEntry] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._thread: threading.Thread | None = None

    def record(self, principal: Principal, action: str, target: str) -> None:
        """Queue one read of person-level data by ``principal``: ``action`` on ``target``, now."""
        entry = audit_entry(principal, action, target)
        with self._lock:
            if self._closed:
                # After shutdown (a test client reusing the app) entries are written at once.
                self._pending.append(entry)
                waiting = -1
            else:
                self._pending.append(entry)
                waiting = len(self._pending)
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="orgnet-audit", daemon=True)
                    self._thread.start()
        if waiting < 0:
            self.flush()
        elif waiting >= self.batch:
            self._wake.set()

    def flush(self) -> None:
        """Write every waiting entry now, in one transaction."""
        with self._write_lock:
            with self._lock:
                entries, self._pending = self._pending, []
            if entries:
                try:
                    self.store.append_audit(entries)
                except Exception:
                    with self._lock:
                        self._pending[:0] = entries
                    raise

    def _run(self) -> None:
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                self.flush()
            except Exception:
                logger.exception("writing the audit log failed; retrying")
            with self._lock:
                if self._closed:
                    return

    def close(self) -> None:
        """Write what is left and stop the thread (the lifespan calls this on shutdown)."""
        with self._lock:
            self._closed = True
            thread, self._thread = self._thread, None
        self._wake.set()
        if thread is not None:
            thread.join(timeout=10)
        self.flush()

    def open(self) -> None:
        """Accept entries again after :meth:`close` (the app started again in the same process)."""
        with self._lock:
            self._closed = False
