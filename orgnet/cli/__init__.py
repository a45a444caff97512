"""The ``orgnet`` command line. Every module in this package registers its commands on one app."""

from __future__ import annotations

import importlib
import pkgutil

from orgnet.cli.app import app

__all__ = ["app", "main"]

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "app":
        importlib.import_module(f"{__name__}.{_module.name}")


def main() -> None:
    """Entry point of the ``orgnet`` console script."""
    app()
