"""Defaults of the internal-reach query that the command line and the API both show and use.

Declared here, in a module that imports nothing, rather than in
:mod:`orgnet.spread` (which loads NumPy, pandas and NetworkX), so that
``orgnet reach --help`` can print them without loading the analytics.
:func:`orgnet.spread.internal_reach`, :func:`orgnet.spread.expected_spread`
and :func:`orgnet.spread.celf_seeds` take them as their defaults;
``orgnet reach --from-person`` and ``/api/v1/reach/internal`` read them from here.
"""

from __future__ import annotations

__all__ = ["DEFAULT_HOPS", "DEFAULT_PROBABILITY", "DEFAULT_RUNS"]

#: Directed hops the k-hop reach counts.
DEFAULT_HOPS = 2
#: Activation probability of every tie under the independent cascade, when none is derived from weights.
DEFAULT_PROBABILITY = 0.1
#: Monte Carlo runs of the independent cascade. The standard error shrinks as 1 / sqrt(runs) while the time grows
#: with runs (on a random graph of 50,000 people and 800,000 ties at p = 0.1, where a cascade reaches most people:
#: 9 s for 200 runs, 19 s for 1,000), and every estimate carries its 95 % interval, so an interactive answer takes
#: 200 and a caller who wants a tighter one asks for more.
DEFAULT_RUNS = 200
