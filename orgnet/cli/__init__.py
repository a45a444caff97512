"""The ``orgnet`` command line. Every module in this package registers its commands on one app.

Commands that belong to the layers above the core (serving the API,
rendering reports) register themselves through the ``orgnet.cli`` entry point
group, so the core never imports ``api/`` or ``viz/``.
"""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import entry_points

from orgnet.cli.app import app

__all__ = ["app", "main"]

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "app":
        importlib.import_module(f"{__name__}.{_module.name}")
for _plugin in entry_points(group="orgnet.cli"):
    _plugin.load()


def main() -> None:
    """Entry point of the ``orgnet`` console script."""
    app()
