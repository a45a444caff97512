"""A short-lived cache of authenticated API keys, so that a busy service does not query the store for every request.

A key's hash maps to its :class:`~orgnet.access.Principal` for ``ttl``
seconds (1 s by default, ``ORGNET_KEY_TTL``). Revoking a key through the API
(``DELETE /api/v1/keys/{id}``) drops it from this process's cache at once;
revoking it from the command line (``orgnet keys revoke``) or in another
worker process takes effect within ``ttl`` seconds. Unknown keys are not
cached: each wrong key costs one indexed lookup, and random keys cannot fill
the memory.
"""

from __future__ import annotations

import threading
import time

from orgnet.access import Principal, hash_key, principal_of_hash
from orgnet.store import Store

__all__ = ["KeyCache"]

#: Most keys kept; far more than any organisation hands out, small enough to bound the memory.
KEYS_KEPT = 10_000


class KeyCache:
    """Key hash -> caller, each answer kept ``ttl`` seconds (0 turns the cache off)."""

    def __init__(self, store: Store, ttl: float = 1.0):
        self.store = store
        self.ttl = ttl
        self._lock = threading.Lock()
        self._known: dict[str, tuple[Principal, float]] = {}

    def cached(self, key_hash: str) -> Principal | None:
        """The caller of ``key_hash`` when a fresh answer is cached, else ``None`` (look it up with :meth:`lookup`)."""
        found = self._known.get(key_hash)
        if found is not None and time.monotonic() < found[1]:
            return found[0]
        return None

    def lookup(self, key_hash: str) -> Principal | None:
        """The caller of ``key_hash`` (from the cache, else the store); ``None`` for unknown or revoked keys."""
        principal = self.cached(key_hash)
        if principal is not None:
            return principal
        principal = principal_of_hash(self.store, key_hash)
        with self._lock:
            if principal is None:
                self._known.pop(key_hash, None)
            elif self.ttl > 0:
                if len(self._known) >= KEYS_KEPT:
                    self._known.clear()
                self._known[key_hash] = (principal, time.monotonic() + self.ttl)
        return principal

    def authenticate(self, plaintext: str | None) -> Principal | None:
        """The caller a plaintext key identifies, or ``None``."""
        return self.lookup(hash_key(plaintext)) if plaintext else None

    def forget(self, key_id: str) -> None:
        """Drop every cached answer for the key ``key_id`` (it was just revoked)."""
        with self._lock:
            for key_hash in [h for h, (p, _) in self._known.items() if p.key_id == key_id]:
                del self._known[key_hash]
