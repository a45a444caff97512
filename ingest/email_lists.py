"""Mail a list rewrote: who wrote a message whose ``From`` is "Name via List <list@...>".

Under DMARC a list cannot send a member's message under the member's
address, so Mailman (``from_is_list``, ``dmarc_moderation_action: Munge
From``) and Google Groups rewrite ``From`` to the list's own address with
the display name "Name via List" (Google quotes the name: "'Ann Lee' via
Team"), and keep the author elsewhere: Google Groups in
``X-Original-From``, Mailman in ``Reply-To``. Credited to its ``From``, such
a message would make the list an unknown person writing to everyone.

A message counts as rewritten when its ``From`` display name ends in
"via <something>" and it carries a list field (``List-Id`` or
``List-Post``) or an ``X-Original-From`` with another address. Its author
is, in this order: the ``X-Original-From`` address, as ``From`` would be
(an outside author is counted as outside mail); else the first ``Reply-To``
address other than the list's that the roster resolves to a person; else
the name before "via", when the roster lists it among a person's
``aliases``. A rewritten message none of these credits is credited to
nobody: it is counted and left out, never tied to the list address.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from orgnet.identity import PERSON, IdentityResolver
from orgnet.ingest.email_headers import MessageHeader

__all__ = ["credit_list_senders"]

_VIA = re.compile(r"^(?P<name>.*?)\s+via\s+\S.*$", re.IGNORECASE | re.DOTALL)


def _author_name(header: MessageHeader) -> str | None:
    """The name before "via" when ``header`` is a list's rewrite, else ``None``."""
    via = _VIA.match(header.sender_name)
    if via is None or not (header.mailing_list or _original_from(header)):
        return None
    return via.group("name").strip().strip("'\"").strip()


def _original_from(header: MessageHeader) -> str | None:
    """The ``X-Original-From`` address when it is not the ``From`` one."""
    original = header.original_from
    return original if original is not None and original.lower() != (header.sender or "").lower() else None


def credit_list_senders(headers: list[MessageHeader], resolver: IdentityResolver) -> tuple[np.ndarray, int]:
    """Credit each message a list rewrote to its author; tell which no one can be credited with.

    Parameters
    ----------
    headers : the messages (their ``sender`` set: those without one are
        bad rows, already set aside).
    resolver : the identity resolver, to tell whether a ``Reply-To`` address
        or a name is a roster person.

    Returns
    -------
    (credited, rewritten): for each message, whether it keeps a sender
    (false only for a rewritten message no one could be credited with); how
    many were rewritten. Each credited rewritten message has its ``sender``
    set to its author.

    Notes
    -----
    All candidates of all rewritten messages are resolved in one call; the
    loop runs over rewritten messages only.
    """
    credited = np.ones(len(headers), dtype=bool)
    rewritten = [(index, name) for index, header in enumerate(headers) if (name := _author_name(header)) is not None]
    candidates: list[tuple[int, str]] = []
    for index, name in rewritten:
        header = headers[index]
        if _original_from(header) is not None:
            continue
        listed = (header.sender or "").lower()
        candidates.extend((index, address) for address in header.reply_to if address.lower() != listed)
        if name:
            candidates.append((index, name))
    kinds = resolver.resolve(pd.Series([raw for _, raw in candidates], dtype=object)).kind.tolist() if candidates else []
    authors: dict[int, str] = {}
    for (index, raw), kind in zip(candidates, kinds):
        if kind == PERSON:
            authors.setdefault(index, raw)
    for index, _ in rewritten:
        header = headers[index]
        author = _original_from(header) or authors.get(index)
        if author is None:
            credited[index] = False
        else:
            header.sender = author
    return credited, len(rewritten)
