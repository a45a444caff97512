"""``orgnet keys``: create, list and revoke the API keys of the service."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from orgnet.access import ROLES, create_key, revoke_key
from orgnet.cli.app import JsonOption, StoreOption, app, console, emit_json, friendly_errors, store_from

__all__ = ["create_command", "keys_app", "list_command", "revoke_command"]

keys_app = typer.Typer(help="API keys of `orgnet serve`: only their hashes are stored.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
@friendly_errors
def create_command(
    role: Annotated[str, typer.Option("--role", help=f"Role of the key: {', '.join(ROLES)}.")],
    name: Annotated[str, typer.Option("--name", help="Whom the key is for.")] = "",
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a key and print it once; only its hash is stored."""
    with store_from(store) as opened:
        key_id, plaintext = create_key(opened, role, name)
    if as_json:
        emit_json({"key_id": key_id, "role": role, "name": name, "key": plaintext})
        return
    console.print(f"created {role} key {key_id}; store it now, it is not shown again:")
    console.print(plaintext, highlight=False, soft_wrap=True)


@keys_app.command("list")
@friendly_errors
def list_command(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """List keys (never the keys themselves), revoked ones included."""
    with store_from(store) as opened:
        keys = opened.api_keys()
    rows = [{"key_id": k.key_id, "role": k.role, "name": k.name, "created_at": k.created_at, "revoked_at": k.revoked_at} for k in keys]
    if as_json:
        emit_json(rows)
        return
    table = Table("key id", "role", "name", "created", "revoked")
    for key in keys:
        table.add_row(key.key_id, key.role, key.name, key.created_at[:19], (key.revoked_at or "")[:19])
    console.print(table)


@keys_app.command("revoke")
@friendly_errors
def revoke_command(key_id: Annotated[str, typer.Argument(help="Id of the key (see orgnet keys list).")], store: StoreOption = None) -> None:
    """Revoke a key: requests and sessions using it fail from now on."""
    with store_from(store) as opened:
        revoke_key(opened, key_id)
    console.print(f"revoked {key_id}")
