"""Settings: every environment variable orgnet reads is read here, and nowhere else.

:class:`Settings` holds what the core needs: where the store is, the analysis
engine, the Neo4j credentials, the pseudonym key and the hashing key. The service's settings
(:class:`orgnet.api.settings.Settings`) extend it with their own fields, so
one class definition reads each variable. Each field reads ``ORGNET_<FIELD>``,
except the Neo4j credentials, which keep the names Neo4j's own tools use
(``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``). An empty variable
counts as unset. Secrets are :class:`pydantic.SecretStr`: they never show in a
``repr``, a log line or an error message.

Build settings with :func:`load_settings`: values given as arguments win over
the environment, and an invalid value becomes one :class:`SettingsError` that
names the variable, never a traceback. Every variable is listed, with its
default, in ``docs/api.md`` (Settings).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from orgnet.errors import OrgnetError
from orgnet.store import DEFAULT_STORE

__all__ = [
    "DEFAULT_NEO4J_BATCH_SIZE",
    "ENV_PREFIX",
    "HASH_KEY_ENV",
    "HASH_KEY_FILE_ENV",
    "NEO4J_DATABASE_ENV",
    "NEO4J_PASSWORD_ENV",
    "NEO4J_USER_ENV",
    "PSEUDONYM_KEY_ENV",
    "Settings",
    "SettingsError",
    "env_name",
    "load_settings",
]

ENV_PREFIX = "ORGNET_"
#: Rows per ``UNWIND`` statement when writing to Neo4j: large enough that round
#: trips vanish, small enough that one statement's parameters stay a few MB.
DEFAULT_NEO4J_BATCH_SIZE = 10_000

S = TypeVar("S", bound="Settings")


class SettingsError(OrgnetError):
    """A setting has a value orgnet cannot use; the message names its variable."""


class Settings(BaseSettings):
    """Where the store is, how to log in to Neo4j, the key of pseudonyms and the key of the stored hashes."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="ignore", populate_by_name=True)

    store: str = Field(DEFAULT_STORE, description="Store location: an SQLite file or a bolt:// / neo4j:// URI.")
    pseudonym_key: SecretStr | None = Field(
        None, description="Secret of the keyed hashes `--pseudonymise` turns identifiers into (at least 16 characters)."
    )
    hash_key: SecretStr | None = Field(
        None,
        description="Secret of the keyed hashes of follower ids, e-mail Message-IDs and calendar event UIDs (at least 16 characters);"
        " the key file's when unset.",
    )
    hash_key_file: Path | None = Field(
        None,
        description="File holding the hashing key when `hash_key` is unset; `$XDG_CONFIG_HOME/orgnet/hash.key`, made on first use, by default.",
    )
    engine: Literal["local", "gds"] = Field(
        "local",
        description="Where `orgnet analyze` runs the graph algorithms: `local` (in the orgnet process) or `gds`"
        " (Neo4j Graph Data Science, on a Neo4j store).",
    )
    neo4j_user: str = Field("neo4j", validation_alias="NEO4J_USER", description="User of a Neo4j store.")
    neo4j_password: SecretStr = Field(SecretStr(""), validation_alias="NEO4J_PASSWORD", description="Password of a Neo4j store.")
    neo4j_database: str | None = Field(
        None, validation_alias="NEO4J_DATABASE", description="Database of a Neo4j store; the server's default when unset."
    )
    neo4j_batch_size: int = Field(DEFAULT_NEO4J_BATCH_SIZE, ge=1, description="Rows per `UNWIND` statement when writing to Neo4j.")
    neo4j_cache: Path | None = Field(
        None, description="Folder of the local Neo4j's fetched jars and launcher (`orgnet graph-server`, the tests)."
    )
    # Read for the tools the local Neo4j needs; named as the rest of the system names them.
    java_home: Path | None = Field(None, validation_alias="JAVA_HOME", description="The JDK the local Neo4j runs on; `PATH`'s when unset.")
    xdg_cache_home: Path | None = Field(
        None, validation_alias="XDG_CACHE_HOME", description="Base of the default `neo4j_cache` (`~/.cache` when unset)."
    )
    xdg_config_home: Path | None = Field(
        None, validation_alias="XDG_CONFIG_HOME", description="Base of the default `hash_key_file` (`~/.config` when unset)."
    )


def env_name(settings: type[Settings], field: str) -> str:
    """The environment variable that field ``field`` of ``settings`` reads (``store`` -> ``ORGNET_STORE``)."""
    alias = settings.model_fields[field].validation_alias
    return alias if isinstance(alias, str) else ENV_PREFIX + field.upper()


PSEUDONYM_KEY_ENV = env_name(Settings, "pseudonym_key")
HASH_KEY_ENV = env_name(Settings, "hash_key")
HASH_KEY_FILE_ENV = env_name(Settings, "hash_key_file")
NEO4J_USER_ENV = env_name(Settings, "neo4j_user")
NEO4J_PASSWORD_ENV = env_name(Settings, "neo4j_password")
NEO4J_DATABASE_ENV = env_name(Settings, "neo4j_database")


def _field_of(settings: type[Settings], location: Any) -> str | None:
    for name, info in settings.model_fields.items():
        if location in (name, info.validation_alias):
            return name
    return None


def _problem(settings: type[Settings], error: Any) -> str:
    field = _field_of(settings, error["loc"][0] if error["loc"] else None)
    if field is None:
        return str(error["msg"])
    message = str(error["msg"])
    message = message[:1].lower() + message[1:]
    annotation = settings.model_fields[field].annotation
    secret = SecretStr in (annotation, *get_args(annotation))
    shown = "" if secret else f" (got {error['input']!r})"
    return f"{env_name(settings, field)}: {message}{shown}"


def load_settings(settings: type[S] = Settings, /, **given: Any) -> S:  # type: ignore[assignment]
    """Settings of class ``settings``: the values ``given`` (``None`` ones ignored) over the environment's.

    Parameters
    ----------
    settings : :class:`Settings` or a subclass (the service's).
    given : field values that win over the environment (command-line options,
        a caller's choices); ``None`` means "not given".

    Returns
    -------
    The settings object.

    Raises
    ------
    SettingsError
        When a value, from the environment or given, is invalid: one line per
        variable, secrets never echoed.
    """
    try:
        return settings(**{name: value for name, value in given.items() if value is not None})
    except ValidationError as error:
        problems = "; ".join(_problem(settings, e) for e in error.errors())
        raise SettingsError(f"invalid setting {problems}") from None
