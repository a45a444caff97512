"""Seeded synthetic organisations: the bundled sample data and benchmark-scale inputs.

``python -m orgnet.synth samples --out data/samples`` writes the 300-person
sample organisation in every source format with the truths planted in it;
``python -m orgnet.synth benchmark --out DIR`` writes a large roster and
interaction log for the ingest benchmark. One module per concern:

- :mod:`~orgnet.synth.org`: the people, their planted roles and which pairs ever talk;
- :mod:`~orgnet.synth.activity`: six months of interactions between them;
- one writer per source format: :mod:`~orgnet.synth.roster` (CSV and Excel),
  :mod:`~orgnet.synth.interactions`, :mod:`~orgnet.synth.email` (mbox and
  Maildir), :mod:`~orgnet.synth.slack`, :mod:`~orgnet.synth.ics`,
  :mod:`~orgnet.synth.viva`, :mod:`~orgnet.synth.audiences` and
  :mod:`~orgnet.synth.engagement`;
- :mod:`~orgnet.synth.samples`: all of them into one folder, with ``truths.json`` and a README;
- :mod:`~orgnet.synth.benchmark`: vectorised frames and files of benchmark scale;
- :mod:`~orgnet.synth.cli`: the command line.

The names below are imported on first use (:pep:`562`), so that the command
line's ``--help`` does not wait for pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orgnet.synth.benchmark import benchmark_batch, benchmark_org, write_interactions_csv, write_roster_csv
    from orgnet.synth.cli import main
    from orgnet.synth.org import DEPARTMENTS, ORG_DOMAIN, SAMPLE_PERIODS
    from orgnet.synth.samples import generate_samples

__all__ = [
    "DEPARTMENTS",
    "ORG_DOMAIN",
    "SAMPLE_PERIODS",
    "benchmark_batch",
    "benchmark_org",
    "generate_samples",
    "main",
    "write_interactions_csv",
    "write_roster_csv",
]

_HOMES = {
    "DEPARTMENTS": "org",
    "ORG_DOMAIN": "org",
    "SAMPLE_PERIODS": "org",
    "benchmark_batch": "benchmark",
    "benchmark_org": "benchmark",
    "generate_samples": "samples",
    "main": "cli",
    "write_interactions_csv": "benchmark",
    "write_roster_csv": "benchmark",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
