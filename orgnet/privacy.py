"""Privacy rules applied at ingest: pseudonyms and hashed follower identifiers.

Pseudonymisation replaces every identifier (person ids, e-mail addresses,
aliases, handles) by a keyed hash, HMAC-SHA256 under a secret key that stays
outside the store (``ORGNET_PSEUDONYM_KEY``). The same identifier gets the
same pseudonym in every source, so people still join across e-mail, chat and
calendars, but the store never holds the original. Names are not kept at all.

Follower identifiers of external audiences are only ever stored as salted
SHA-256 hashes, pseudonymised or not: the salt is per store, so overlaps
between audiences in one store can be measured but not joined with anything
outside it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

import numpy as np
import pandas as pd

from orgnet.errors import OrgnetError
from orgnet.settings import PSEUDONYM_KEY_ENV, Settings, load_settings

__all__ = ["PSEUDONYM_KEY_ENV", "Pseudonymiser", "hash_followers", "pseudonymiser_from_env"]

#: Hex characters kept from the HMAC: 80 bits, no collision in any real workforce.
_PSEUDONYM_HEX = 20


class Pseudonymiser:
    """Keyed hashing of identifiers (HMAC-SHA256).

    Parameters
    ----------
    key : the secret; at least 16 characters.

    Notes
    -----
    ``pseudonym("p123")`` is ``"p_"`` followed by 20 hex characters of
    HMAC-SHA256(key, ``"person:" + identifier``); identities (e-mails,
    handles) are hashed in their own namespace so that a person id and an
    e-mail address never collide. ``fingerprint`` identifies the key without
    revealing it, so a store can refuse a second, different key.
    """

    def __init__(self, key: str):
        if len(key) < 16:
            raise OrgnetError(f"{PSEUDONYM_KEY_ENV} must be at least 16 characters long")
        self._key = key.encode("utf-8")

    def _digest(self, namespace: str, value: str) -> str:
        return hmac.new(self._key, f"{namespace}:{value}".encode(), hashlib.sha256).hexdigest()

    @property
    def fingerprint(self) -> str:
        """A stable, non-reversible identifier of the key."""
        return self._digest("fingerprint", "orgnet")[:16]

    def pseudonym(self, person_id: str) -> str:
        """The pseudonymous ``person_id`` for ``person_id``."""
        return "p_" + self._digest("person", person_id)[:_PSEUDONYM_HEX]

    def identity(self, identity: str) -> str:
        """The keyed hash that stands for a normalised address or handle."""
        return "h_" + self._digest("identity", identity)[:_PSEUDONYM_HEX]

    def pseudonyms(self, values: pd.Series) -> pd.Series:
        """Vectorised :meth:`pseudonym` over distinct values; missing values stay missing."""
        return _map_distinct(values, self.pseudonym)

    def identities(self, values: pd.Series) -> pd.Series:
        """Vectorised :meth:`identity` over distinct values; missing values stay missing."""
        return _map_distinct(values, self.identity)


def _map_distinct(values: pd.Series, function) -> pd.Series:
    codes, uniques = pd.factorize(values)
    mapped = np.array([function(str(u)) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=values.index)


def pseudonymiser_from_env(required: bool = True, settings: Settings | None = None) -> Pseudonymiser | None:
    """Build a :class:`Pseudonymiser` from the settings' ``pseudonym_key`` (``ORGNET_PSEUDONYM_KEY``).

    ``settings`` are read from the environment when ``None``. Returns ``None``
    when no key is set and ``required`` is false.
    """
    key = (settings or load_settings()).pseudonym_key
    if key is None:
        if required:
            raise OrgnetError(f"--pseudonymise needs a key in the environment variable {PSEUDONYM_KEY_ENV}")
        return None
    return Pseudonymiser(key.get_secret_value())


def hash_followers(follower_ids: Iterable[str], salt: str) -> list[str]:
    """Salted SHA-256 hex digests (first 32 hex characters) of follower identifiers."""
    prefix = salt.encode("utf-8")
    return [hashlib.sha256(prefix + str(f).strip().lower().encode("utf-8")).hexdigest()[:32] for f in follower_ids]
