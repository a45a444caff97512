"""Identity resolution: which roster person an address, alias or handle names.

Every source names people its own way (``Jane Doe <jane@acme.example>``,
``mailto:JANE@acme.example``, ``@jdoe``, ``E0042``). The resolver normalises
each to a lower-case identity and looks it up in the identities the roster
(and Slack's user list) registered. What it cannot place is either
*external* (outside the organisation's domains: kept only as counts) or
*unknown internal* (inside them but on nobody's record: reported).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from orgnet.privacy import Pseudonymiser

__all__ = ["EXTERNAL", "MISSING", "PERSON", "UNKNOWN_INTERNAL", "IdentityResolver", "Resolution", "normalise_identities"]

PERSON = "person"
EXTERNAL = "external"
UNKNOWN_INTERNAL = "unknown_internal"
MISSING = "missing"

_ANGLE_ADDRESS = r"<([^<>]*)>\s*$"


def normalise_identities(raw: pd.Series) -> pd.Series:
    """Normalise addresses and handles: the part inside ``<...>``, no ``mailto:``, trimmed, lower case.

    Missing or blank values become ``None``. Vectorised over distinct values.
    """
    codes, uniques = pd.factorize(raw)
    values = pd.Series(uniques, dtype="object").astype(str)
    inside = values.str.extract(_ANGLE_ADDRESS, expand=False)
    values = inside.where(inside.notna(), values).str.strip().str.lower()
    values = values.str.replace(r"^mailto:", "", regex=True).str.strip().str.strip("\"'")
    # The stubs of NumPy (np.append) and pandas (na_value) leave None out; it is the missing value of an object array.
    cleaned = np.append(values.where(values != "").to_numpy(dtype=object, na_value=None), None)  # type: ignore[call-overload]
    return pd.Series(cleaned[codes], index=raw.index)


@dataclass
class Resolution:
    """Result of :meth:`IdentityResolver.resolve`, aligned with its input.

    ``person_id`` holds the person or ``None``; ``kind`` one of ``person``,
    ``external``, ``unknown_internal``, ``missing``; ``identity`` the
    normalised address (kept only in memory, for reports).
    """

    person_id: pd.Series
    kind: pd.Series
    identity: pd.Series


class IdentityResolver:
    """Map raw addresses and handles to person ids.

    Parameters
    ----------
    identities : DataFrame with ``identity`` and ``person_id`` (as stored;
        hashed identities when the store is pseudonymised).
    domains : the organisation's e-mail domains (lower case). An address in
        one of them (or a subdomain) that no person carries is unknown
        internal; any other address is external. Handles without ``@``
        that match nobody are unknown internal.
    pseudonymiser : when given, identities are looked up by their keyed hash.
    """

    def __init__(self, identities: pd.DataFrame, domains: Iterable[str], pseudonymiser: Pseudonymiser | None = None):
        self._lookup = dict(zip(identities["identity"], identities["person_id"]))
        self.domains = sorted({d.strip().lower().lstrip("@") for d in domains if d and d.strip()})
        self._pseudonymiser = pseudonymiser

    def register(self, identities: pd.DataFrame) -> None:
        """Add identity -> person pairs (from the batch being ingested) to the lookup."""
        self._lookup.update(zip(identities["identity"], identities["person_id"]))

    def key(self, normalised: pd.Series) -> pd.Series:
        """The lookup key of normalised identities (their keyed hash when pseudonymised)."""
        return self._pseudonymiser.identities(normalised) if self._pseudonymiser else normalised

    def is_internal(self, normalised: pd.Series) -> pd.Series:
        """Whether each normalised identity belongs to the organisation (its domain, or a bare handle)."""
        text = normalised.astype("string")
        # The part after the last @ (none without one); a regular expression runs in Arrow, rsplit in Python.
        domain = text.str.extract(r"@([^@]*)$", expand=False).astype("string")
        internal = (domain.isna() & text.notna()).to_numpy(dtype=bool, copy=True)
        for org_domain in self.domains:
            internal |= ((domain == org_domain) | domain.str.endswith("." + org_domain)).fillna(False).to_numpy(dtype=bool)
        return pd.Series(internal, index=normalised.index)

    def resolve(self, raw: pd.Series) -> Resolution:
        """Resolve raw addresses/handles to people.

        Parameters
        ----------
        raw : Series of str (missing allowed).

        Returns
        -------
        :class:`Resolution` aligned with ``raw``.

        Notes
        -----
        O(n) with one dictionary look-up per *distinct* value.
        """
        normalised = normalise_identities(raw)
        codes, uniques = pd.factorize(normalised)
        distinct = pd.Series(uniques, dtype="object")
        keys = self.key(distinct)
        person = np.array([self._lookup.get(k) for k in keys] + [None], dtype=object)
        internal = self.is_internal(distinct).to_numpy()
        kind_of = np.where(pd.notna(person[:-1]), PERSON, np.where(internal, UNKNOWN_INTERNAL, EXTERNAL))
        kind = np.append(kind_of.astype(object), MISSING)
        return Resolution(
            person_id=pd.Series(person[codes], index=raw.index),
            kind=pd.Series(kind[codes], index=raw.index),
            identity=normalised,
        )
