"""The ``orgnet`` command line. Every module in this package registers its commands on one app.

Commands that belong to the layers above the core (serving the API,
rendering reports) register themselves through the ``orgnet.cli`` entry point
group, so the core never imports ``api/`` or ``viz/``.

Registering is cheap: a command module imports only typer, rich and light
orgnet modules at the top, and the libraries its commands run on (pandas,
NumPy, NetworkX, igraph, plotly, the API) inside the command functions, so
that ``orgnet --help`` and every ``--help`` start in a fraction of a second
(``bench/cli_startup.py``; ``tests/test_cli.py`` checks that no help loads them).
"""

from __future__ import annotations

import gc
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
    """Entry point of the ``orgnet`` console script.

    However the command ends, what it leaves is frozen out of the interpreter's last garbage collection
    (``gc.freeze``): that collection only walks objects the exit frees anyway, and took 0.1-0.2 s after
    ``orgnet analyze`` on the 50k benchmark org. Objects are still released, and exit handlers still run.
    """
    try:
        app()
    finally:
        gc.freeze()
