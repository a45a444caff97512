"""Slack export ingester: thread replies, @mentions and reactions as chat ties (zip or unpacked folder).

An export holds ``users.json`` (Slack user id -> ``profile.email``) and one
``<conversation>/<YYYY-MM-DD>.json`` list of messages per conversation and
day. Three things between two people become interactions, each a ``message``
with one recipient on channel ``chat`` (weight 1):

* a thread reply: replier -> author of the thread's parent message
  (``parent_user_id``, else the message whose ``ts`` is the ``thread_ts``);
* an @mention (``<@U123>`` in the text): author -> mentioned user;
* a reaction: reactor -> message author, once per message however many emoji.

Only user ids are taken from the text; the text itself is never kept. A
reaction carries no time of its own, so it takes its message's time. Slack
users are mapped to people by e-mail through the roster's identities; users
without an e-mail (bots, deleted users) are counted, not guessed.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path, PurePosixPath
from types import TracebackType

import numpy as np
import pandas as pd

from orgnet.errors import OrgnetError
from orgnet.ingest.base import IngestContext
from orgnet.ingest.dates import epoch_seconds
from orgnet.ingest.edges import INTERACTION_COLUMNS, PARTICIPANT_COLUMNS, add_interactions
from orgnet.model import IngestBatch

__all__ = ["CHANNEL", "read"]

CHANNEL = "chat"
_USERS = "users.json"
_DAY_FILE = re.compile(r"^[^/]+/\d{4}-\d{2}-\d{2}\.json$")
# Slack writes a mention as <@U123> or <@U123|name>; user ids are upper-case letters and digits.
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_EVENT_COLUMNS = ["message", "source", "target"]


class _Export:
    """The JSON files of an export, from its zip or its folder, read one at a time.

    ``names`` are paths relative to the folder holding ``users.json`` (some
    zips wrap the export in a top folder); :meth:`label` names a file for
    problems, ``export.zip/general/2026-05-04.json`` inside a zip.
    """

    def __init__(self, path: Path, context: IngestContext):
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        if path.is_dir():
            files = [p.relative_to(path).as_posix() for p in path.rglob("*.json") if p.is_file()]
        else:
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as error:
                raise context.problems.fatal(path, f"not a Slack export (a zip file or its unpacked folder): {error}") from None
            files = [name for name in self._zip.namelist() if name.endswith(".json")]
        roots = sorted((PurePosixPath(name).parent for name in files if PurePosixPath(name).name == _USERS), key=lambda p: len(p.parts))
        if not roots:
            raise context.problems.fatal(path, f"no {_USERS} found: not a Slack export")
        self._root = roots[0]
        self.names = sorted(
            str(PurePosixPath(name).relative_to(self._root)) for name in files if PurePosixPath(name).is_relative_to(self._root)
        )

    def read(self, name: str) -> bytes:
        """The bytes of file ``name``."""
        member = str(self._root / name) if str(self._root) != "." else name
        if self._zip is not None:
            return self._zip.read(member)
        try:
            return (self.path / member).read_bytes()
        except OSError as error:
            raise OrgnetError(f"cannot read {self.path / member}: {error.strerror or error}") from error

    def label(self, name: str) -> str:
        """How problems name file ``name``."""
        return str(self.path / str(self._root) / name) if str(self._root) != "." else str(self.path / name)

    def __enter__(self) -> _Export:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None) -> None:
        if self._zip is not None:
            self._zip.close()


def _load(export: _Export, name: str, context: IngestContext) -> object | None:
    """Parse one JSON file; a file that is not UTF-8 JSON is a problem on its line, and ``None``."""
    try:
        return json.loads(export.read(name).decode("utf-8-sig"))
    except UnicodeDecodeError:
        context.problems.add(export.label(name), 0, "not UTF-8 text")
    except json.JSONDecodeError as error:
        context.problems.add(export.label(name), error.lineno, f"not valid JSON ({error.msg})")
    return None


def _emails(users: object, export: _Export, context: IngestContext) -> dict[str, str]:
    """Slack user id -> e-mail of the users that have one; the others are counted."""
    if not isinstance(users, list):
        raise context.problems.fatal(export.label(_USERS), "expected a list of users")
    records = [u for u in users if isinstance(u, dict) and u.get("id")]
    emails = {str(u["id"]): str((u.get("profile") or {}).get("email") or "").strip() for u in records}
    emails = {user: email for user, email in emails.items() if email}
    context.report.add("users", len(records))
    context.report.add("users_without_email", len(records) - len(emails))
    return emails


def _seconds(ts: object) -> float | None:
    """A Slack ``ts`` (``"1714813200.000100"``, epoch seconds) as a float; ``None`` when it is not one."""
    try:
        seconds = float(str(ts))
    except ValueError:
        return None
    return seconds if np.isfinite(seconds) and seconds >= 0 else None


def _messages(export: _Export, context: IngestContext) -> tuple[pd.DataFrame, list[tuple[int, str]], list[tuple[int, str]]]:
    """Every user message of every day file, without its text.

    Returns
    -------
    (messages, mentions, reactions): ``messages`` has ``conversation``,
    ``ts``, ``user``, ``thread_ts``, ``parent_user_id`` and ``seconds``, one
    row per message; ``mentions`` and ``reactions`` are (message row, user id)
    pairs, distinct per message.
    """
    rows: list[tuple] = []
    mentions: list[tuple[int, str]] = []
    reactions: list[tuple[int, str]] = []
    days = [name for name in export.names if _DAY_FILE.match(name)]
    bots = 0
    for name in days:
        data = _load(export, name, context)
        if data is None:
            continue
        label = export.label(name)
        if not isinstance(data, list):
            context.problems.add(label, 1, "expected a list of messages")
            continue
        conversation = name.split("/", 1)[0]
        for number, message in enumerate(data, start=1):
            if not isinstance(message, dict):
                context.problems.add(label, 0, f"message {number}: not a JSON object")
                continue
            user, ts = message.get("user"), message.get("ts")
            if not user and (message.get("bot_id") or message.get("subtype") == "bot_message"):
                bots += 1
                continue
            if not user or not ts:
                context.problems.add(label, 0, f"message {number}: missing {'user' if not user else 'ts'}")
                continue
            seconds = _seconds(ts)
            if seconds is None:
                context.problems.add(label, 0, f"message {number}: ts {ts!r} is not a Slack timestamp")
                continue
            if context.dates.outside_seconds(seconds):
                context.problems.add(label, 0, f"message {number}: {context.dates.reason('ts', ts)}")
                continue
            row = len(rows)
            rows.append((conversation, str(ts), str(user), message.get("thread_ts"), message.get("parent_user_id"), seconds))
            text = message.get("text")
            if isinstance(text, str):
                mentions.extend((row, mentioned) for mentioned in dict.fromkeys(_MENTION.findall(text)))
            reactors = [
                str(reactor)
                for reaction in message.get("reactions") or []
                if isinstance(reaction, dict)
                for reactor in reaction.get("users") or []
            ]
            reactions.extend((row, reactor) for reactor in dict.fromkeys(reactors))
    context.report.add("files", len(days))
    context.report.add("messages", len(rows))
    context.report.add("bot_messages", bots)
    columns = ["conversation", "ts", "user", "thread_ts", "parent_user_id", "seconds"]
    return pd.DataFrame(rows, columns=columns), mentions, reactions


def _events(
    messages: pd.DataFrame, mentions: list[tuple[int, str]], reactions: list[tuple[int, str]], context: IngestContext
) -> pd.DataFrame:
    """Who addressed whom: (message row, source user id, target user id), one row per interaction."""
    thread_ts = messages["thread_ts"].astype("string")
    replies = messages[thread_ts.notna().to_numpy() & (thread_ts != messages["ts"]).fillna(False).to_numpy()]
    parents = messages[["conversation", "ts", "user"]].drop_duplicates(["conversation", "ts"])
    looked_up = (
        replies[["conversation", "thread_ts"]]
        .astype({"thread_ts": str})
        .merge(parents.rename(columns={"ts": "thread_ts", "user": "parent"}), on=["conversation", "thread_ts"], how="left")
    )
    parent = replies["parent_user_id"].where(replies["parent_user_id"].notna(), looked_up["parent"].to_numpy())
    found = parent.notna().to_numpy()
    context.report.add("thread_replies", len(replies))
    context.report.add("thread_parents_missing", int((~found).sum()))
    reply_events = pd.DataFrame({"message": replies.index[found], "source": replies["user"][found], "target": parent[found]})

    mentions_frame = pd.DataFrame(mentions, columns=["message", "target"], dtype=object)
    mentions_frame["message"] = mentions_frame["message"].astype("int64")
    mention_events = mentions_frame.assign(source=messages["user"].to_numpy()[mentions_frame["message"].to_numpy()])
    reactions_frame = pd.DataFrame(reactions, columns=["message", "source"], dtype=object)
    reactions_frame["message"] = reactions_frame["message"].astype("int64")
    reaction_events = reactions_frame.assign(target=messages["user"].to_numpy()[reactions_frame["message"].to_numpy()])
    context.report.add("mentions", len(mention_events))
    context.report.add("reactions", len(reaction_events))
    return pd.concat([reply_events[_EVENT_COLUMNS], mention_events[_EVENT_COLUMNS], reaction_events[_EVENT_COLUMNS]], ignore_index=True)


def read(path: Path, context: IngestContext) -> IngestBatch:
    """Read a Slack export.

    Parameters
    ----------
    path : the export zip, or the folder it unpacks to.
    context : the ingest context (resolver, options, report).

    Returns
    -------
    :class:`~orgnet.model.IngestBatch` with ``ties`` on channel ``chat`` and
    ``external_contacts``, through :func:`orgnet.ingest.edges.add_interactions`.

    Notes
    -----
    A day file that is not valid JSON is a problem naming the file (inside
    the zip) and its line; a message without ``user`` or ``ts`` one naming
    the file and the message's position in it. Bot messages are counted
    (``bot_messages``); interactions with a user who has no e-mail are
    counted (``events_without_email``) and dropped; e-mail addresses nobody
    in the roster has are reported by :func:`~orgnet.ingest.edges.add_interactions`.
    Every conversation folder is read (channels, private channels, direct
    messages), so ``channels.json`` is not needed.
    """
    with _Export(path, context) as export:
        users = _load(export, _USERS, context)
        if users is None:
            raise context.problems.fatal(export.label(_USERS), "the user list cannot be read")
        emails = _emails(users, export, context)
        messages, mentions, reactions = _messages(export, context)
    events = _events(messages, mentions, reactions, context)
    instants = epoch_seconds(messages["seconds"].to_numpy(dtype=float))
    context.dates.note_range(context.report, instants)
    source = events["source"].map(emails)
    target = events["target"].map(emails)
    mapped = (source.notna() & target.notna()).to_numpy()
    context.report.add("events_without_email", int((~mapped).sum()))
    events, source, target = events[mapped], source[mapped], target[mapped]

    ids = np.arange(len(events), dtype=np.int64)
    interactions = pd.DataFrame(
        {
            "interaction": ids,
            "timestamp": context.dates.nanoseconds(instants[events["message"].to_numpy(dtype=np.int64)]),
            "channel": CHANNEL,
            "kind": "message",
            "duration_hours": np.nan,
        }
    )
    participants = pd.DataFrame(
        {
            "interaction": np.concatenate([ids, ids]),
            "role": np.repeat(np.array(["sender", "recipient"], dtype=object), len(ids)),
            "raw": np.concatenate([source.to_numpy(dtype=object), target.to_numpy(dtype=object)]),
        }
    )
    batch = IngestBatch()
    add_interactions(interactions[INTERACTION_COLUMNS], participants[PARTICIPANT_COLUMNS], context, batch)
    return batch
