"""Slack export ingester: thread replies, @mentions, reactions and file comments as chat ties (zip or unpacked folder).

An export holds ``users.json`` (the workspace's users) and one
``<conversation>/<YYYY-MM-DD>.json`` list of messages per conversation and
day. Four things between two people become interactions, each a ``message``
with one recipient on channel ``chat`` (weight 1):

* a thread reply: replier -> author of the thread's parent message
  (``parent_user_id``, else the message whose ``ts`` is the ``thread_ts``);
* an @mention (``<@U123>`` in the text): author -> mentioned user;
* a reaction: reactor -> message author, once per message however many emoji;
* a file comment (``file_comment``, exports before 2019): commenter
  (``comment.user``) -> the file's owner (``file.user``).

Which messages count
--------------------
A plain message (no ``subtype``) and the subtypes a person writes into the
conversation, :data:`MESSAGE_SUBTYPES` (a thread reply also sent to the
channel, a ``/me`` message, a message sharing a file), give their reply,
mentions and reactions. Messages of bots and Slackbot (:data:`BOT_SUBTYPES`,
a user marked ``is_bot``, ``USLACKBOT``, or a ``bot_id`` without a user) are
counted (``bot_messages``), and any interaction with a bot is dropped and
counted (``events_with_bots``). Every other subtype is a notice Slack writes
(someone joined, left, renamed the channel, set its topic or purpose,
archived it, pinned an item), an event about another message the export
already holds (an edit, a deletion, a reply notice), or no message between
people (a reminder, an AI-assistant thread): it is skipped and counted by
subtype (``skipped_channel_join``...); the ``<@U...>`` in its generated text
is no mention. Subtypes Slack does not document are skipped and counted
together (``skipped_other_subtypes``) and named in a note.

Who is who
----------
A Slack user is a person by their profile e-mail when the roster knows it;
else by their Slack user id, handle (``name``, also as ``@name``) or display
name (also as ``@display name``) when the roster lists it among a person's
aliases or in its ``slack_id`` column (see :mod:`orgnet.ingest.roster`). A
handle or display name two users of the export share names nobody. A user
the roster does not place is reported by e-mail (unknown internal or
external, by domain) and, without one, dropped and counted
(``events_without_identity``).

Only user ids are taken from the text; the text itself is never kept. A
reaction carries no time of its own, so it takes its message's time. The
export's files are read through :mod:`orgnet.ingest.archives`, within its
size and compression limits.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from orgnet.errors import IngestError
from orgnet.identity import PERSON, normalise_identities
from orgnet.ingest.archives import Archive, open_archive
from orgnet.ingest.base import IngestContext
from orgnet.ingest.dates import epoch_seconds
from orgnet.ingest.edges import INTERACTION_COLUMNS, PARTICIPANT_COLUMNS, add_interactions
from orgnet.model import IngestBatch

__all__ = ["BOT_SUBTYPES", "CHANNEL", "MAX_PROBLEMS", "MESSAGE_SUBTYPES", "SKIPPED_SUBTYPES", "SLACKBOT", "read"]

CHANNEL = "chat"
#: Slackbot's user id, the same in every workspace.
SLACKBOT = "USLACKBOT"
#: Subtypes a person writes into the conversation: read like a plain message (its reply, mentions and reactions).
MESSAGE_SUBTYPES = frozenset({"thread_broadcast", "me_message", "file_share"})
#: Subtypes an integration or Slackbot writes: bot messages.
BOT_SUBTYPES = frozenset({"bot_message", "slackbot_response"})
_FILE_COMMENT = "file_comment"
#: Subtypes that are no collaboration between people: skipped, counted as ``skipped_<subtype>``. Every other subtype
#: Slack documents (https://api.slack.com/events/message) is above; the last few are not on its list but in exports.
SKIPPED_SUBTYPES = frozenset(
    {
        # Notices Slack writes when someone joins, leaves or changes a channel (a group: an old private channel).
        "channel_join",
        "channel_leave",
        "channel_topic",
        "channel_purpose",
        "channel_name",
        "channel_archive",
        "channel_unarchive",
        "channel_posting_permissions",
        "channel_convert_to_private",
        "channel_convert_to_public",
        "group_join",
        "group_leave",
        "group_topic",
        "group_purpose",
        "group_name",
        "group_archive",
        "group_unarchive",
        "pinned_item",
        "unpinned_item",
        # Events about a message the export already holds: its edit, its deletion, a reply to it, and the old copy
        # of a reply also sent to the channel (reply_broadcast; the reply itself is in its thread).
        "message_changed",
        "message_deleted",
        "message_replied",
        "reply_broadcast",
        # No message from one person to another: a reminder, a link to a file (not addressed to its owner), content
        # withheld by Enterprise Key Management, a thread with an AI app.
        "reminder_add",
        "file_mention",
        "ekm_access_denied",
        "assistant_app_thread",
        # Found in exports: an integration added or removed, the placeholder of a deleted thread parent.
        "bot_add",
        "bot_remove",
        "tombstone",
    }
)
#: Past this many bad messages or users the export is refused whole: each problem is kept (in memory, then in the
#: rejects file), and a crafted file of a million empty objects would otherwise make a million of them.
MAX_PROBLEMS = 10_000
_USERS = "users.json"
# The names besides the e-mail a Slack user may be placed by, in the order tried.
_ALIAS_ROUTES = ("id", "handle", "display_name")
_DAY_FILE = re.compile(r"^[^/]+/\d{4}-\d{2}-\d{2}\.json$")
# Slack writes a mention as <@U123> or <@U123|name>; user ids are upper-case letters and digits.
_MENTION = re.compile(r"<@([A-Z0-9]{1,64})(?:\|[^>]*)?>")
# Longest user id or ts kept (Slack's are 9 to 17 characters), and e-mail address (RFC 5321's limit): every one is held
# until the end of the ingest, and some reach the report, so a crafted megabyte-long one is refused, not kept.
_MAX_ID = 64
_MAX_EMAIL = 254
_MESSAGE_COLUMNS = ["conversation", "ts", "user", "thread_ts", "parent_user_id", "file_owner", "seconds"]
# The fields read from a message that must be text when present.
_TEXT_FIELDS = ("user", "subtype", "thread_ts", "parent_user_id", "text")
_TEXT_TYPES = frozenset({str, type(None)})
# How many undocumented subtypes a note names, and how many (cut to 40 characters) are told apart: their names come
# from the file, and a crafted one holds any number of any length.
_OTHER_SUBTYPES_NAMED = 10
_OTHER_SUBTYPES_KEPT = 1000


class _Export:
    """The JSON files of an export (from its zip or its folder), named relative to the folder holding ``users.json``.

    Some zips wrap the export in a top folder; ``names`` are relative to it,
    and :meth:`read` and :meth:`label` take those names.
    """

    def __init__(self, archive: Archive, context: IngestContext):
        self._archive = archive
        # The shallowest users.json marks the export's folder: "" or "acme-export/".
        roots = sorted((name[: -len(_USERS)] for name in archive.names if name == _USERS or name.endswith("/" + _USERS)), key=len)
        if not roots:
            raise context.problems.fatal(archive.path, f"no {_USERS} found: not a Slack export")
        self._prefix = roots[0]
        self.names = [name[len(self._prefix) :] for name in archive.names if name.startswith(self._prefix)]

    def read(self, name: str) -> bytes:
        """The bytes of file ``name`` (within the archive's limits)."""
        return self._archive.read(self._prefix + name)

    def label(self, name: str) -> str:
        """How problems name file ``name``."""
        return self._archive.label(self._prefix + name)


def _load(export: _Export, name: str, context: IngestContext) -> object | None:
    """Parse one JSON file; a file that is not UTF-8 JSON is a problem on its line, and ``None``.

    Raises
    ------
    IngestError
        When the file breaks a limit of :mod:`orgnet.ingest.archives`, or
        does not fit in memory.
    """
    label = export.label(name)
    try:
        data = export.read(name)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            context.problems.add(label, line, f"not UTF-8 text (byte 0x{data[error.start]:02x})")
            return None
        del data
        parsed: object = json.loads(text)
        return parsed
    except json.JSONDecodeError as error:
        context.problems.add(label, error.lineno, f"not valid JSON ({error.msg})")
    except RecursionError:
        context.problems.add(label, 0, "not a Slack export file: JSON nested too deeply to read")
    except ValueError as error:
        # Python refuses integers of more than 4,300 digits (int_max_str_digits) with a plain ValueError.
        context.problems.add(label, 0, f"not valid JSON ({str(error).splitlines()[0][:120]})")
    except MemoryError:
        raise context.problems.fatal(label, "too large to read in memory") from None
    return None


def _text(record: dict[str, Any], key: str) -> str | None:
    """``record[key]`` when it is text, else ``None`` (missing, or of another type)."""
    value = record.get(key)
    return value if isinstance(value, str) else None


def _users(records: object, export: _Export, context: IngestContext) -> pd.DataFrame:
    """The users of ``users.json``: ``id``, ``email``, ``handle``, ``display_name`` and ``bot``, one row per user.

    A record that is not an object, has no text ``id``, or whose ``profile``
    is not an object is a problem naming its position; the first record of
    an id given twice is kept.
    """
    label = export.label(_USERS)
    if not isinstance(records, list):
        raise context.problems.fatal(label, "expected a list of users")
    rows = []
    for number, record in enumerate(records, start=1):
        reason = _user_problem(record)
        if reason is not None:
            context.problems.add(label, 0, f"user {number}: {reason}")
            if len(context.problems) > MAX_PROBLEMS:
                raise _too_many(context, label, "users")
            continue
        profile = record.get("profile") or {}
        bot = record.get("is_bot") is True or record["id"] == SLACKBOT
        rows.append((record["id"], _text(profile, "email"), _text(record, "name"), _text(profile, "display_name"), bot))
    users = pd.DataFrame(rows, columns=["id", "email", "handle", "display_name", "bot"]).astype({"bot": bool})
    users = users.drop_duplicates("id", keep="first")
    people = users[~users["bot"]]
    context.report.add("users", len(people))
    context.report.add("bot_users", int(users["bot"].sum()))
    context.report.add("users_without_email", int(people["email"].fillna("").str.strip().eq("").sum()))
    return users


def _user_problem(record: object) -> str | None:
    """What makes a ``users.json`` record unreadable, if anything."""
    if not isinstance(record, dict):
        return "not a JSON object"
    if not _text(record, "id"):
        return "missing id"
    if len(record["id"]) > _MAX_ID:
        return f"an id of more than {_MAX_ID} characters"
    profile = record.get("profile")
    if not isinstance(profile, dict | None):
        return "profile is not a JSON object"
    if len(_text(profile or {}, "email") or "") > _MAX_EMAIL:
        return f"an e-mail address of more than {_MAX_EMAIL} characters"
    return None


def _too_many(context: IngestContext, label: str, what: str) -> IngestError:
    """The error that stops an export of more than :data:`MAX_PROBLEMS` bad ``what``."""
    return context.problems.fatal(label, f"more than {MAX_PROBLEMS:,} bad {what}: not a Slack export")


def _identities(users: pd.DataFrame, seen: pd.Series, context: IngestContext) -> pd.Series:
    """For each Slack user id, the address or handle :func:`add_interactions` resolves to their person.

    Parameters
    ----------
    users : :func:`_users`' table of people (bots left out).
    seen : every user id the interactions name (users of other workspaces
        appear in messages without a ``users.json`` record).

    Returns
    -------
    Series indexed by user id: the e-mail when the roster places it, else
    what :func:`_aliases` finds, else the e-mail (reported as unknown or
    external), else missing. The users placed are counted by route
    (``users_matched_by_email``, ``_id``, ``_handle``, ``_display_name``).

    Notes
    -----
    One resolver call over the e-mails, and one over the other names of the
    users they leave unplaced (none in an export whose e-mails the roster
    knows): O(users).
    """
    others = pd.Index(seen.dropna().unique()).difference(users["id"])
    users = pd.concat([users, pd.DataFrame({"id": others})], ignore_index=True).set_index("id")
    email = users["email"]
    by_email = (context.resolver.resolve(email).kind == PERSON).to_numpy()
    context.report.add("users_matched_by_email", int(by_email.sum()))
    for route in _ALIAS_ROUTES:
        context.report.add(f"users_matched_by_{route}", 0)
    chosen = email[by_email]
    if not by_email.all():
        chosen = pd.concat([chosen, _aliases(users, users.index[~by_email], context)])
    return chosen.reindex(users.index).combine_first(email)


def _aliases(users: pd.DataFrame, unplaced: pd.Index, context: IngestContext) -> pd.Series:
    """The first of Slack id, handle (``name``, ``@name``) and display name (also with ``@``) the roster places, per user.

    A handle or display name two users of the export share is never used:
    it would credit one person with both users' interactions. The users
    placed are counted by route (``users_matched_by_id``, ``_handle``,
    ``_display_name``).
    """
    routes = [
        ("id", users.index.to_series()),
        ("handle", users["handle"]),
        ("handle", "@" + users["handle"]),
        ("display_name", users["display_name"]),
        ("display_name", "@" + users["display_name"]),
    ]
    candidates = pd.concat([pd.DataFrame({"id": users.index, "route": route, "raw": raw.to_numpy()}) for route, raw in routes])
    candidates["identity"] = normalise_identities(candidates["raw"]).to_numpy()
    candidates = candidates.dropna(subset=["identity"]).drop_duplicates(["id", "identity"]).reset_index(drop=True)
    names = candidates["route"] != "id"
    shared = (candidates[names].groupby("identity")["id"].transform("nunique") > 1).reindex(candidates.index, fill_value=False)
    candidates = candidates[~shared.to_numpy() & candidates["id"].isin(unplaced).to_numpy()]
    placed = candidates[(context.resolver.resolve(candidates["raw"]).kind == PERSON).to_numpy()]
    # Candidates are in route order, so the first placed one of each user is the route that wins.
    chosen = placed.drop_duplicates("id", keep="first")
    for route in _ALIAS_ROUTES:
        context.report.add(f"users_matched_by_{route}", int((chosen["route"] == route).sum()))
    return chosen.set_index("id")["raw"]


def _seconds(ts: object) -> float | None:
    """A Slack ``ts`` (``"1714813200.000100"``, epoch seconds) as a float; ``None`` when it is not one."""
    text = str(ts)
    if len(text) > _MAX_ID:
        return None
    try:
        seconds = float(text)
    except ValueError:
        return None
    return seconds if np.isfinite(seconds) and seconds >= 0 else None


def _reactors(reactions: object) -> list[str] | None:
    """The distinct users who reacted (in order), from a message's ``reactions``; ``None`` when they are malformed."""
    if reactions is None:
        return []
    if not isinstance(reactions, list) or not all(isinstance(r, dict) and isinstance(r.get("users", []), list) for r in reactions):
        return None
    users = [user for reaction in reactions for user in reaction.get("users", [])]
    return list(dict.fromkeys(users)) if all(isinstance(user, str) and len(user) <= _MAX_ID for user in users) else None


def _file_comment(message: dict[str, Any]) -> tuple[str | None, str | None]:
    """(commenter, file owner) of a ``file_comment`` message (``comment.user``, ``file.user``)."""
    comment, file = message.get("comment"), message.get("file")
    return (_text(comment, "user") if isinstance(comment, dict) else None, _text(file, "user") if isinstance(file, dict) else None)


class _Messages:
    """What the day files hold besides text: one row per person's message, and their mentions and reactions."""

    def __init__(self, bots: set[str]):
        self.bots = bots
        # (conversation, ts, user, thread_ts, parent_user_id, file_owner, seconds): the columns of table().
        self.rows: list[tuple[str, str, str, str | None, str | None, str | None, float]] = []
        # Each mention and reaction as its message's row and the user mentioned or reacting, in two parallel lists.
        self.mention_rows: list[int] = []
        self.mentioned: list[str] = []
        self.reaction_rows: list[int] = []
        self.reactors: list[str] = []
        self.bot_messages = 0
        self.file_comments = 0
        self.owners_missing = 0
        self.skipped: Counter[str] = Counter()
        self.other: Counter[str] = Counter()

    def read_day(self, data: object, conversation: str, label: str, context: IngestContext) -> None:
        """Add the messages of one day file (``data``, parsed), each bad one a problem naming its position."""
        problems = context.problems
        if not isinstance(data, list):
            problems.add(label, 1, "expected a list of messages")
            return
        for number, message in enumerate(data, start=1):
            reason = self._add(message, conversation, context) if isinstance(message, dict) else "not a JSON object"
            if reason is not None:
                problems.add(label, 0, f"message {number}: {reason}")
                if len(problems) > MAX_PROBLEMS:
                    raise _too_many(context, label, "messages")

    def _add(self, message: dict[str, Any], conversation: str, context: IngestContext) -> str | None:
        """Add one message (or count it, if it is a bot's or skipped); what is wrong with it, if anything."""
        get = message.get
        user, subtype, thread_ts, parent, text = get("user"), get("subtype"), get("thread_ts"), get("parent_user_id"), get("text")
        texts = _TEXT_TYPES
        if not (
            type(user) in texts and type(subtype) in texts and type(thread_ts) in texts and type(parent) in texts and type(text) in texts
        ):
            return next(f"{key} is not text" for key in _TEXT_FIELDS if type(get(key)) not in texts)
        if len(user or "") > _MAX_ID or len(thread_ts or "") > _MAX_ID or len(parent or "") > _MAX_ID:
            return f"a user id or thread_ts of more than {_MAX_ID} characters"
        if subtype in BOT_SUBTYPES or user in self.bots or (not user and message.get("bot_id")):
            self.bot_messages += 1
            return None
        owner, is_comment = None, subtype == _FILE_COMMENT
        if is_comment:
            user, owner = _file_comment(message)
            if len(user or "") > _MAX_ID or len(owner or "") > _MAX_ID:
                return f"a comment.user or file.user of more than {_MAX_ID} characters"
            if user in self.bots:
                self.bot_messages += 1
                return None
        elif subtype is not None and subtype not in MESSAGE_SUBTYPES:
            if subtype in SKIPPED_SUBTYPES:
                self.skipped[subtype] += 1
            else:
                self.other[subtype[:40] if len(self.other) < _OTHER_SUBTYPES_KEPT else "..."] += 1
            return None
        ts = message.get("ts")
        if not user or not ts:
            return f"missing {('comment.user' if is_comment else 'user') if not user else 'ts'}"
        seconds = _seconds(ts)
        if seconds is None:
            return f"ts {str(ts)[:60]!r} is not a Slack timestamp"
        if context.dates.outside_seconds(seconds):
            return context.dates.reason("ts", ts)
        reactors = [] if is_comment else _reactors(message.get("reactions"))
        if reactors is None:
            return "reactions are not a list of emoji with their users"
        if is_comment:
            self.file_comments += 1
            self.owners_missing += owner is None
        root = message.get("root")
        if not parent and isinstance(root, dict):
            parent = _text(root, "user")
        row = len(self.rows)
        self.rows.append((conversation, str(ts), user, thread_ts, parent or None, owner, seconds))
        if text and not is_comment:
            mentioned = dict.fromkeys(_MENTION.findall(text))
            self.mentioned.extend(mentioned)
            self.mention_rows.extend([row] * len(mentioned))
        self.reactors.extend(reactors)
        self.reaction_rows.extend([row] * len(reactors))
        return None

    def table(self) -> pd.DataFrame:
        """The messages: ``conversation``, ``ts``, ``user``, ``thread_ts``, ``parent_user_id``, ``file_owner``, ``seconds``."""
        columns = list(zip(*self.rows)) or [()] * len(_MESSAGE_COLUMNS)
        return pd.DataFrame(
            {name: np.array(values, dtype=float if name == "seconds" else object) for name, values in zip(_MESSAGE_COLUMNS, columns)}
        )

    def report(self, context: IngestContext) -> None:
        """Count what was read and skipped, by kind and subtype."""
        report = context.report
        report.add("messages", len(self.rows))
        report.add("bot_messages", self.bot_messages)
        report.add("file_comments", self.file_comments)
        if self.owners_missing:
            report.add("file_comments_without_owner", self.owners_missing)
        for subtype, count in sorted(self.skipped.items()):
            report.add(f"skipped_{subtype}", count)
        if self.other:
            report.add("skipped_other_subtypes", sum(self.other.values()))
            named = ", ".join(ascii(name[:40]) for name, _ in self.other.most_common(_OTHER_SUBTYPES_NAMED))
            more = len(self.other) - _OTHER_SUBTYPES_NAMED
            report.notes.append(
                f"skipped messages of subtypes Slack does not document: {named}" + (f" and {more:,} more" if more > 0 else "")
            )


def _events(messages: pd.DataFrame, read: _Messages, context: IngestContext) -> pd.DataFrame:
    """Who addressed whom: ``message`` (row), ``source`` and ``target`` (user ids), one row per interaction.

    Notes
    -----
    A reply's parent is its ``parent_user_id``, else the author of the
    first message of its conversation whose ``ts`` is the reply's
    ``thread_ts``, found by one index look-up for all replies. Otherwise
    array arithmetic on the message rows: O(messages + mentions + reactions).
    """
    column = {name: messages[name].to_numpy(dtype=object) for name in ("conversation", "ts", "user", "thread_ts", "file_owner")}
    user = column["user"]
    replies = np.flatnonzero(pd.notna(column["thread_ts"]) & (column["thread_ts"] != column["ts"]))
    parent = messages["parent_user_id"].to_numpy(dtype=object)[replies]
    unnamed = pd.isna(parent)
    if unnamed.any():
        first = np.flatnonzero(~messages.duplicated(["conversation", "ts"]).to_numpy())
        index = pd.MultiIndex.from_arrays([column["conversation"][first], column["ts"][first]])
        asked = replies[unnamed]
        where = index.get_indexer(pd.MultiIndex.from_arrays([column["conversation"][asked], column["thread_ts"][asked]]))
        # numpy's stubs leave None out of the array-likes; here it is the object array's missing value.
        parent[unnamed] = np.where(where >= 0, user[first][where], None)  # type: ignore[call-overload]
    found = pd.notna(parent)
    context.report.add("thread_replies", len(replies))
    context.report.add("thread_parents_missing", int((~found).sum()))
    comments = np.flatnonzero(pd.notna(column["file_owner"]))
    mention_rows = np.array(read.mention_rows, dtype=np.int64)
    reaction_rows = np.array(read.reaction_rows, dtype=np.int64)
    context.report.add("mentions", len(mention_rows))
    context.report.add("reactions", len(reaction_rows))
    return pd.DataFrame(
        {
            "message": np.concatenate([replies[found], mention_rows, reaction_rows, comments]),
            "source": np.concatenate([user[replies[found]], user[mention_rows], np.array(read.reactors, dtype=object), user[comments]]),
            "target": np.concatenate(
                [parent[found], np.array(read.mentioned, dtype=object), user[reaction_rows], column["file_owner"][comments]]
            ),
        }
    )


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

    Raises
    ------
    IngestError
        When the export cannot be read as a whole: not a zip or folder,
        no ``users.json`` or one that is not a list of users, a file past
        the limits of :mod:`orgnet.ingest.archives`, a member whose name
        escapes the zip, or more than :data:`MAX_PROBLEMS` bad messages or users.

    Notes
    -----
    A day file that is not UTF-8 JSON is a problem naming the file (inside
    the zip) and its line; a message that is not an object, lacks ``user``
    or ``ts``, or holds a field of the wrong type, one naming the file and
    the message's position in it. Interactions of a user with themselves
    are dropped and counted (``events_with_oneself``), as are those with a
    bot and those with a user nobody can place (see the module docstring).
    Every conversation folder is read (channels, private channels, direct
    messages), so ``channels.json`` is not needed.
    """
    with open_archive(path, context.problems, context.report, suffixes=(".json",)) as archive:
        export = _Export(archive, context)
        records = _load(export, _USERS, context)
        if records is None:
            raise context.problems.fatal(export.label(_USERS), "the user list cannot be read")
        users = _users(records, export, context)
        del records
        days = [name for name in export.names if _DAY_FILE.match(name)]
        read_messages = _Messages(set(users["id"][users["bot"]]) | {SLACKBOT})
        for name in days:
            data = _load(export, name, context)
            if data is not None:
                read_messages.read_day(data, name.split("/", 1)[0], export.label(name), context)
    context.report.add("files", len(days))
    read_messages.report(context)
    messages = read_messages.table()
    events = _events(messages, read_messages, context)
    instants = epoch_seconds(messages["seconds"].to_numpy(dtype=float))
    context.dates.note_range(context.report, instants)

    oneself = (events["source"] == events["target"]).to_numpy()
    bot_ids = list(read_messages.bots)
    bots = (events["source"].isin(bot_ids) | events["target"].isin(bot_ids)).to_numpy() & ~oneself
    context.report.add("events_with_oneself", int(oneself.sum()))
    context.report.add("events_with_bots", int(bots.sum()))
    events = events[~(oneself | bots)]
    identity = _identities(users[~users["bot"]], pd.concat([events["source"], events["target"]]), context)
    source = events["source"].map(identity)
    target = events["target"].map(identity)
    mapped = (source.notna() & target.notna()).to_numpy()
    context.report.add("events_without_identity", int((~mapped).sum()))
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
