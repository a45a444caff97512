"""Defaults and bounds that the command line and the API show and the library uses.

Declared here, in a module that imports nothing, rather than beside the code
that uses them (:mod:`orgnet.spread` and :mod:`orgnet.ingest.base` load
NumPy, pandas and NetworkX), so that ``--help`` can print them without
loading the analytics.
:func:`orgnet.spread.internal_reach`, :func:`orgnet.spread.expected_spread`
and :func:`orgnet.spread.celf_seeds` take them as their defaults;
``orgnet reach --from-person`` and ``/api/v1/reach/internal`` read them from here.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_BROADCAST_CUTOFF",
    "DEFAULT_BY",
    "DEFAULT_HOPS",
    "DEFAULT_MAX_EVENT_HOURS",
    "DEFAULT_MEETING_CUTOFF",
    "DEFAULT_PROBABILITY",
    "DEFAULT_RUNS",
    "MAX_BROADCAST_CUTOFF",
    "MAX_EVENT_HOURS",
    "MAX_MEETING_CUTOFF",
]

#: The grouping of every group-level result unless another is asked for (``--by``, ``by=``).
DEFAULT_BY = "department"

#: Directed hops the k-hop reach counts.
DEFAULT_HOPS = 2
#: Activation probability of every tie under the independent cascade, when none is derived from weights.
DEFAULT_PROBABILITY = 0.1
#: Monte Carlo runs of the independent cascade. The standard error shrinks as 1 / sqrt(runs) while the time grows
#: with runs (on a random graph of 50,000 people and 800,000 ties at p = 0.1, where a cascade reaches most people:
#: 9 s for 200 runs, 19 s for 1,000), and every estimate carries its 95 % interval, so an interactive answer takes
#: 200 and a caller who wants a tighter one asks for more.
DEFAULT_RUNS = 200

# -- ingest (:class:`orgnet.ingest.base.IngestOptions`) ----------------------------------------------------------------

#: E-mails to more recipients are announcements, dropped (and counted).
DEFAULT_BROADCAST_CUTOFF = 50
#: Largest ``--broadcast-cutoff``: an e-mail to more people is an announcement whatever the organisation.
MAX_BROADCAST_CUTOFF = 10_000
#: Meetings with more attendees are dropped (and counted).
DEFAULT_MEETING_CUTOFF = 25
#: Largest ``--meeting-cutoff``: a meeting of more attendees is an all-hands, not collaboration.
MAX_MEETING_CUTOFF = 1_000
#: Calendar events longer than this many hours are dropped (and counted): a year-long event is not a meeting.
DEFAULT_MAX_EVENT_HOURS = 12.0
#: Largest ``--max-event-hours``: a week.
MAX_EVENT_HOURS = 168.0
