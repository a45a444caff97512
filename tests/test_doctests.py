"""The Examples sections of the analytics modules' docstrings: each runs, and gives the answer it shows.

The examples are small classic graphs (karate club, Florentine families,
Krackhardt kite) and hand-made ones, their outputs known answers, as in
NetworkX's documentation. Every public function of these modules has one.
"""

from __future__ import annotations

import doctest
import importlib
import inspect

import pytest

#: The analytics modules whose public functions carry examples.
MODULES = ("advocates", "brokers", "communities", "ego", "fragility", "layout", "reach", "silos", "spread", "summary")


def _examples() -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder()
    found = []
    for name in MODULES:
        module = importlib.import_module(f"orgnet.{name}")
        found += [test for test in finder.find(module) if test.examples]
    return sorted(found, key=lambda test: test.name)


EXAMPLES = _examples()


@pytest.mark.parametrize("test", EXAMPLES, ids=[test.name.removeprefix("orgnet.") for test in EXAMPLES])
def test_docstring_example(test: doctest.DocTest):
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    result = runner.run(test, out=report.append)
    assert result.failed == 0, "".join(report)


@pytest.mark.parametrize("name", MODULES)
def test_every_public_function_has_an_example(name):
    module = importlib.import_module(f"orgnet.{name}")
    functions = [member for member in module.__all__ if inspect.isfunction(getattr(module, member))]
    with_examples = {test.name.rsplit(".", 1)[-1] for test in EXAMPLES if test.name.startswith(f"orgnet.{name}.")}
    assert functions and set(functions) <= with_examples
