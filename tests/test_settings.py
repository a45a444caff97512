"""One settings object: each environment variable read by one field, given values over the environment, clear errors."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from pydantic import Field, SecretStr

from orgnet.api.settings import Settings as ServiceSettings
from orgnet.errors import OrgnetError
from orgnet.privacy import pseudonymiser_from_env
from orgnet.settings import PSEUDONYM_KEY_ENV, Settings, SettingsError, env_name, load_settings
from orgnet.store import open_store

ROOT = Path(__file__).resolve().parent.parent
VARIABLES = {
    "store": "ORGNET_STORE",
    "pseudonym_key": "ORGNET_PSEUDONYM_KEY",
    "hash_key": "ORGNET_HASH_KEY",
    "hash_key_file": "ORGNET_HASH_KEY_FILE",
    "engine": "ORGNET_ENGINE",
    "neo4j_user": "NEO4J_USER",
    "neo4j_password": "NEO4J_PASSWORD",
    "neo4j_database": "NEO4J_DATABASE",
    "neo4j_batch_size": "ORGNET_NEO4J_BATCH_SIZE",
    "neo4j_cache": "ORGNET_NEO4J_CACHE",
    "java_home": "JAVA_HOME",
    "xdg_cache_home": "XDG_CACHE_HOME",
    "xdg_config_home": "XDG_CONFIG_HOME",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No orgnet or Neo4j variable of the caller's shell leaks into these tests."""
    for name in {*VARIABLES.values(), *(env_name(ServiceSettings, f) for f in ServiceSettings.model_fields)}:
        monkeypatch.delenv(name, raising=False)


def test_each_field_reads_its_variable(monkeypatch):
    assert {field: env_name(Settings, field) for field in Settings.model_fields} == VARIABLES
    monkeypatch.setenv("ORGNET_STORE", "bolt://graph:7687")
    monkeypatch.setenv("NEO4J_USER", "ada")
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret")
    monkeypatch.setenv("NEO4J_DATABASE", "org")
    monkeypatch.setenv("ORGNET_NEO4J_BATCH_SIZE", "250")
    monkeypatch.setenv("ORGNET_PSEUDONYM_KEY", "a key of sixteen+ characters")
    settings = load_settings()
    assert (settings.store, settings.neo4j_user, settings.neo4j_database, settings.neo4j_batch_size) == (
        "bolt://graph:7687",
        "ada",
        "org",
        250,
    )
    assert settings.neo4j_password.get_secret_value() == "s3cret"
    assert settings.pseudonym_key is not None and settings.pseudonym_key.get_secret_value() == "a key of sixteen+ characters"
    assert "s3cret" not in repr(settings) and "sixteen" not in repr(settings)


def test_defaults_and_empty_variables_count_as_unset(monkeypatch):
    monkeypatch.setenv("NEO4J_DATABASE", "")
    monkeypatch.setenv("ORGNET_NEO4J_BATCH_SIZE", "")
    settings = load_settings()
    assert (settings.store, settings.neo4j_user, settings.neo4j_database, settings.neo4j_batch_size) == ("orgnet.db", "neo4j", None, 10_000)
    assert settings.pseudonym_key is None and settings.neo4j_password.get_secret_value() == ""


def test_given_values_win_and_none_means_not_given(monkeypatch):
    monkeypatch.setenv("ORGNET_STORE", "from-env.db")
    monkeypatch.setenv("NEO4J_USER", "env-user")
    assert load_settings(store="given.db", neo4j_user="given-user").store == "given.db"
    assert load_settings(store=None).store == "from-env.db"
    assert load_settings(neo4j_user="given-user").neo4j_user == "given-user"


def test_the_service_settings_extend_the_core(monkeypatch):
    monkeypatch.setenv("ORGNET_STORE", "shared.db")
    monkeypatch.setenv("ORGNET_MIN_GROUP_SIZE", "7")
    settings = load_settings(ServiceSettings, port=9000)
    assert isinstance(settings, Settings)
    assert (settings.store, settings.min_group_size, settings.port) == ("shared.db", 7, 9000)
    assert "store" not in inspect.get_annotations(ServiceSettings), "the store is the core's field, not read twice"


def test_an_invalid_value_names_its_variable(monkeypatch):
    monkeypatch.setenv("ORGNET_NEO4J_BATCH_SIZE", "lots")
    with pytest.raises(SettingsError, match=r"ORGNET_NEO4J_BATCH_SIZE: input should be a valid integer.*\(got 'lots'\)"):
        load_settings()
    monkeypatch.delenv("ORGNET_NEO4J_BATCH_SIZE")
    with pytest.raises(SettingsError, match=r"ORGNET_PORT: .*less than or equal to 65535"):
        load_settings(ServiceSettings, port=70000)


def test_an_invalid_secret_is_never_echoed(monkeypatch):
    class Guarded(Settings):
        token: SecretStr = Field(SecretStr("x" * 12), min_length=12)

    monkeypatch.setenv("ORGNET_TOKEN", "short-1")
    with pytest.raises(SettingsError, match="ORGNET_TOKEN") as raised:
        load_settings(Guarded)
    assert "short-1" not in str(raised.value)


def test_open_store_takes_the_settings_location(tmp_path, monkeypatch):
    monkeypatch.setenv("ORGNET_STORE", str(tmp_path / "from-env.db"))
    with open_store() as store:
        assert store.location == str(tmp_path / "from-env.db")
    with open_store(settings=load_settings(store=str(tmp_path / "given.db"))) as store:
        assert store.location == str(tmp_path / "given.db")
    assert (tmp_path / "from-env.db").exists() and (tmp_path / "given.db").exists()


def test_the_pseudonym_key_comes_from_the_settings(monkeypatch):
    assert pseudonymiser_from_env(required=False) is None
    with pytest.raises(OrgnetError, match=PSEUDONYM_KEY_ENV):
        pseudonymiser_from_env(required=True)
    given = load_settings(pseudonym_key="another key, long enough")
    monkeypatch.setenv(PSEUDONYM_KEY_ENV, "first key, long enough")
    from_env, from_given = pseudonymiser_from_env(), pseudonymiser_from_env(settings=given)
    assert from_env is not None and from_given is not None and from_env.fingerprint != from_given.fingerprint


def _python_files() -> list[Path]:
    return [p for folder in ("orgnet", "api", "ingest", "viz") for p in sorted((ROOT / folder).rglob("*.py"))]


def test_only_the_settings_read_the_environment():
    """No module but the settings (and the server, which names the workers' settings file) touches the environment."""
    readers = {
        str(path.relative_to(ROOT))
        for path in _python_files()
        if re.search(r"os\.environ|getenv\(|envvar=", path.read_text(encoding="utf-8"))
    }
    assert readers == {"api/settings.py", "api/server.py"}
