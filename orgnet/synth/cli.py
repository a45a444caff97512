"""``python -m orgnet.synth``: write the sample organisation or the ingest benchmark's inputs.

A thin Typer shell over :func:`~orgnet.synth.samples.generate_samples` and
:mod:`orgnet.synth.benchmark`; those (and pandas) are imported inside the
commands, so ``--help`` answers at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, TypeVar

import typer

__all__ = ["app", "main"]

PROG = "python -m orgnet.synth"
T = TypeVar("T")

app = typer.Typer(
    name=PROG,
    help="Seeded synthetic organisations: the bundled sample data in every source format, and inputs for the ingest benchmark.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

OutOption = Annotated[
    Path, typer.Option("--out", help="Folder to write into; created when missing, earlier files overwritten.", file_okay=False)
]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed: the same seed writes byte-identical files.")]


@app.command("samples")
def samples_command(out: OutOption, seed: SeedOption = 7) -> None:
    """Write the 300-person sample organisation (Acme) in every source format, with truths.json and a README.

    The bundled samples are `--out data/samples --seed 7`; tests/test_synth.py checks they equal a fresh generation.
    """
    from orgnet.synth.samples import generate_samples

    truths = _writing(out, lambda: generate_samples(out, seed))
    typer.echo(f"wrote {truths['counts']['people']} people, {truths['email']['unique_messages']} e-mails to {out}")


@app.command("benchmark")
def benchmark_command(
    out: OutOption,
    people: Annotated[int, typer.Option("--people", min=1, help="People in roster.csv.")] = 50_000,
    rows: Annotated[int, typer.Option("--rows", min=1, help="Rows of interactions.csv, repeating rows // 8 conversations.")] = 2_000_000,
    seed: SeedOption = 7,
) -> None:
    """Write roster.csv and interactions.csv for bench/ingest.py: a large organisation and its interaction log."""
    from orgnet.synth.benchmark import write_interactions_csv, write_roster_csv

    def write() -> None:
        out.mkdir(parents=True, exist_ok=True)
        write_roster_csv(out / "roster.csv", people, seed)
        write_interactions_csv(out / "interactions.csv", rows, people, seed)

    _writing(out, write)
    typer.echo(f"wrote {people} people and {rows} interactions to {out}")


def _writing(out: Path, write: Callable[[], T]) -> T:
    """Run ``write``; a folder that cannot be written is one clear message and exit status 1, not a traceback."""
    try:
        return write()
    except OSError as error:
        typer.echo(f"error: cannot write to {out}: {error.strerror or error}", err=True)
        raise typer.Exit(code=1) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    try:
        app(args=None if argv is None else list(argv), prog_name=PROG)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else int(done.code is not None)
    return 0
