"""Privacy rules applied at ingest: pseudonyms and keyed hashes of external identifiers.

Pseudonymisation replaces every identifier (person ids, e-mail addresses,
aliases, handles) by a keyed hash, HMAC-SHA256 under a secret key that stays
outside the store (``ORGNET_PSEUDONYM_KEY``). The same identifier gets the
same pseudonym in every source, so people still join across e-mail, chat and
calendars, but the store never holds the original. Names are not kept at all.

Identifiers of what is not a person of the organisation (followers of
external audiences, e-mail Message-IDs, calendar event UIDs) are only ever
stored as HMAC-SHA256 under a second secret outside the store, the hashing
key (:class:`HashKey`, ``ORGNET_HASH_KEY``, else a key file made on first
use), pseudonymised or not. The same follower has the same hash in every
audience, so overlaps and unions stay exact, but someone holding the
database file cannot test candidate ids against the hashes without the key.
The store keeps only the key's fingerprint, so that an ingest with another
key is refused instead of silently breaking the unions.

References
----------
Krawczyk, Bellare & Canetti, "HMAC: Keyed-Hashing for Message
Authentication", RFC 2104, 1997.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from orgnet.errors import OrgnetError
from orgnet.settings import HASH_KEY_ENV, HASH_KEY_FILE_ENV, PSEUDONYM_KEY_ENV, Settings, load_settings

__all__ = [
    "HASH_KEY_ENV",
    "PSEUDONYM_KEY_ENV",
    "HashKey",
    "Pseudonymiser",
    "default_hash_key_file",
    "load_hash_key",
    "pseudonymiser_from_env",
]

#: Hex characters kept from the HMAC: 80 bits, no collision in any real workforce.
_PSEUDONYM_HEX = 20
#: Hex characters kept of a follower's hash: 128 bits, no collision among billions of followers.
_FOLLOWER_HEX = 32
#: Characters a key needs at least, the pseudonym key as the hashing key.
_MIN_KEY = 16
#: SHA-256's block size in bytes: HMAC pads its key to it.
_BLOCK = 64


class _Hmac:
    """HMAC-SHA256 under one key (RFC 2104), with the key's two padded blocks hashed once.

    HMAC(K, m) = SHA-256((K' xor opad) || SHA-256((K' xor ipad) || m)),
    K' the key zero-padded to the 64-byte block (hashed first when longer).
    ``hmac.new`` pads and hashes the key again for every message; copying
    the two SHA-256 states that follow the padded blocks costs a third of
    that, which keeps a million follower ids as fast to hash as the salted
    SHA-256 this replaced.
    """

    def __init__(self, key: bytes):
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        padded = key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in padded))
        self._outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in padded))

    def hexdigests(self, namespace: str, values: Iterable[str], length: int = 64) -> list[str]:
        """The first ``length`` hex characters of HMAC(key, ``namespace + ":" + value``) of each value."""
        headed = self._inner.copy()
        headed.update(f"{namespace}:".encode())
        inner_state, outer_state = headed.copy, self._outer.copy
        digests = []
        for value in values:
            inner = inner_state()
            inner.update(value.encode("utf-8"))
            outer = outer_state()
            outer.update(inner.digest())
            digests.append(outer.hexdigest()[:length])
        return digests

    def hexdigest(self, namespace: str, value: str, length: int = 64) -> str:
        """:meth:`hexdigests` of one value."""
        return self.hexdigests(namespace, (value,), length)[0]


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
        if len(key) < _MIN_KEY:
            raise OrgnetError(f"{PSEUDONYM_KEY_ENV} must be at least {_MIN_KEY} characters long")
        self._hmac = _Hmac(key.encode("utf-8"))

    @property
    def fingerprint(self) -> str:
        """A stable, non-reversible identifier of the key."""
        return self._hmac.hexdigest("fingerprint", "orgnet", 16)

    def pseudonym(self, person_id: str) -> str:
        """The pseudonymous ``person_id`` for ``person_id``."""
        return "p_" + self._hmac.hexdigest("person", person_id, _PSEUDONYM_HEX)

    def identity(self, identity: str) -> str:
        """The keyed hash that stands for a normalised address or handle."""
        return "h_" + self._hmac.hexdigest("identity", identity, _PSEUDONYM_HEX)

    def pseudonyms(self, values: pd.Series) -> pd.Series:
        """Vectorised :meth:`pseudonym` over distinct values; missing values stay missing."""
        return _map_distinct(values, lambda distinct: ["p_" + h for h in self._hmac.hexdigests("person", distinct, _PSEUDONYM_HEX)])

    def identities(self, values: pd.Series) -> pd.Series:
        """Vectorised :meth:`identity` over distinct values; missing values stay missing."""
        return _map_distinct(values, lambda distinct: ["h_" + h for h in self._hmac.hexdigests("identity", distinct, _PSEUDONYM_HEX)])


def _map_distinct(values: pd.Series, function: Callable[[list[str]], list[str]]) -> pd.Series:
    """``function`` of the distinct values of ``values`` (as text), spread back over them; missing values stay missing."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([*function(uniques.astype(str).tolist()), None], dtype=object)
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


class HashKey:
    """The hashing key: keyed hashes (HMAC-SHA256) of follower ids, e-mail Message-IDs and calendar event UIDs.

    Parameters
    ----------
    key : the secret; at least 16 characters.
    origin : where it came from (``ORGNET_HASH_KEY`` or the key file), for error messages.

    Notes
    -----
    A follower's hash is 32 hex characters (128 bits) of HMAC-SHA256(key,
    ``"follower:" + id``), the id stripped and lower-cased; other values
    are hashed in namespaces of their own (:meth:`digest`). ``fingerprint``
    identifies the key without revealing it: it is what the store keeps.
    """

    def __init__(self, key: str, origin: str = HASH_KEY_ENV):
        if len(key) < _MIN_KEY:
            raise OrgnetError(f"the hashing key ({origin}) must be at least {_MIN_KEY} characters long")
        self._hmac = _Hmac(key.encode("utf-8"))
        self.origin = origin

    @property
    def fingerprint(self) -> str:
        """A stable, non-reversible identifier of the key."""
        return self._hmac.hexdigest("hash key fingerprint", "orgnet", 16)

    def followers(self, follower_ids: pd.Series) -> pd.Series:
        """The hashes of follower identifiers (none missing): each distinct id, stripped and lower-cased, hashed once."""
        normalised = follower_ids.astype("string").str.strip().str.lower()
        return _map_distinct(normalised, lambda distinct: self._hmac.hexdigests("follower", distinct, _FOLLOWER_HEX))

    def digest(self, namespace: str, value: str) -> str:
        """The 64 hex characters of HMAC-SHA256(key, ``namespace + ":" + value``)."""
        return self._hmac.hexdigest(namespace, value)


def default_hash_key_file(settings: Settings) -> Path:
    """Where the hashing key is kept when neither ``ORGNET_HASH_KEY`` nor ``ORGNET_HASH_KEY_FILE`` says: ``$XDG_CONFIG_HOME/orgnet/hash.key``."""
    return (settings.xdg_config_home or Path.home() / ".config") / "orgnet" / "hash.key"


def load_hash_key(fingerprint: str | None = None, settings: Settings | None = None) -> tuple[HashKey, Path | None]:
    """The hashing key of a store whose hashes were made with the key of ``fingerprint`` (``None``: none made yet).

    Parameters
    ----------
    fingerprint : the :attr:`HashKey.fingerprint` the store keeps, if any.
    settings : read from the environment when ``None``.

    Returns
    -------
    The key, and the key file when this call made it (else ``None``). The
    key is ``hash_key`` (``ORGNET_HASH_KEY``) when set, else the content of
    ``hash_key_file`` (``ORGNET_HASH_KEY_FILE``, by default
    :func:`default_hash_key_file`). Only the default file is ever made, and
    only for a store that has no hashes yet: 256 random bits, readable by its
    owner alone (mode 0600, in a folder of mode 0700), written whole or not at
    all, so that two first ingests at once agree on one key.

    Raises
    ------
    OrgnetError
        When the key is shorter than 16 characters, its file cannot be read,
        the store has hashes but no key is set, or the key's fingerprint is
        not ``fingerprint``: the message names the settings to change.
    """
    settings = settings or load_settings()
    created = None
    if settings.hash_key is not None:
        key = HashKey(settings.hash_key.get_secret_value(), HASH_KEY_ENV)
    else:
        path = settings.hash_key_file or default_hash_key_file(settings)
        if not path.exists() and fingerprint is None and settings.hash_key_file is None:
            created = path if _make_key_file(path) else None
        key = HashKey(_read_key_file(path, fingerprint), str(path))
    if fingerprint is not None and key.fingerprint != fingerprint:
        raise OrgnetError(
            f"this store's follower ids, Message-IDs and event UIDs were hashed with another key (fingerprint {fingerprint}, "
            f"the key of {key.origin} has {key.fingerprint}); set {HASH_KEY_ENV} or {HASH_KEY_FILE_ENV} to the store's key, "
            "or, if it is lost, ingest the sources again into a new store"
        )
    return key, created


def _read_key_file(path: Path, fingerprint: str | None) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        held = f"this store's hashes were made with the key of fingerprint {fingerprint}; " if fingerprint else ""
        raise OrgnetError(
            f"{held}no hashing key: set {HASH_KEY_ENV}, or {HASH_KEY_FILE_ENV} to a file holding it ({path} does not exist)"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise OrgnetError(f"cannot read the hashing key file {path}: {getattr(error, 'strerror', None) or error}") from None


def _make_key_file(path: Path) -> bool:
    """Write a new random key to ``path``, unless another process has just written one; whether this one did."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, draft = tempfile.mkstemp(dir=path.parent, prefix=".hash.key.")  # mode 0600
    except OSError as error:
        raise _cannot_make(path, error) from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        # A link never replaces a file: of two processes making the key at once, the second reads the first's.
        os.link(draft, path)
        return True
    except FileExistsError:
        return False
    except OSError as error:  # a full disk, a file system without hard links
        raise _cannot_make(path, error) from None
    finally:
        os.unlink(draft)


def _cannot_make(path: Path, error: OSError) -> OrgnetError:
    return OrgnetError(
        f"cannot make the hashing key file {path} ({error.strerror or error}): set {HASH_KEY_ENV}, or {HASH_KEY_FILE_ENV} to a file holding a key"
    )
