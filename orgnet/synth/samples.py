"""The bundled sample organisation: every source format, the planted truths and a README, from one seed.

:func:`generate_samples` writes a 300-person organisation (Acme,
``acme.example``) in every source format of ``docs/formats.md``, over six
months (2026-05 .. 2026-10), with ``truths.json``: the structures planted in
it (two brokers between Finance and Design, a one-person Finance-Legal
bridge, a Legal-Marketing silo bridged in 2026-08, five advocates and three
emerging ones, a vertical Operations department, a growing network) and the
exact counts each ingester should report. Everything follows from one seed,
so a fresh generation can be compared byte for byte with the committed samples.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from orgnet.synth.activity import events, realised_ties
from orgnet.synth.audiences import write_audiences
from orgnet.synth.email import write_email
from orgnet.synth.engagement import write_engagement
from orgnet.synth.ics import write_calendar
from orgnet.synth.interactions import write_interactions
from orgnet.synth.org import DEPARTMENTS, ORG_DOMAIN, SAMPLE_PERIODS, make_org, potential_ties
from orgnet.synth.roster import write_roster
from orgnet.synth.slack import write_slack
from orgnet.synth.viva import write_viva

__all__ = ["SAMPLE_FOLDERS", "generate_samples"]

#: The folders the generator writes whole: each is replaced on every run.
SAMPLE_FOLDERS = ("calendar", "email", "slack", "viva")


def generate_samples(out: Path | str, seed: int = 7) -> dict[str, Any]:
    """Write the sample organisation in every source format, with ``truths.json`` and a README.

    Parameters
    ----------
    out : folder to write into (created). Its sample files are overwritten and
        the folders :data:`SAMPLE_FOLDERS` replaced, so that no file of an
        earlier run (another seed, another layout) is left among the new
        ones; anything else in ``out`` (``__init__.py``) stays.
    seed : random seed; the same seed gives byte-identical files.

    Returns
    -------
    The truths, as written to ``truths.json``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for folder in SAMPLE_FOLDERS:
        shutil.rmtree(out / folder, ignore_errors=True)
    rng = np.random.default_rng(seed)
    org = make_org(rng)
    ties = potential_ties(org, rng)
    found = events(org, ties, rng)
    write_roster(org, out)
    interactions = write_interactions(org, found, rng, out)
    email = write_email(org, found, rng, out)
    slack = write_slack(org, found, rng, out)
    calendar = write_calendar(org, found, out)
    viva, viva_ties = write_viva(org, ties, rng, out)
    audiences = write_audiences(org, rng, out)
    audience_sizes: dict[str, int] = {}
    for key, count in audiences["follower_count"].items():
        owner_type, owner, _ = key.split(":")
        if owner_type == "person":
            audience_sizes[owner] = audience_sizes.get(owner, 0) + count
    engagement = write_engagement(org, audience_sizes, rng, out)
    realised = realised_ties(found, viva_ties)

    ids = org.ids
    legal_marketing = sorted((ids[a], ids[b]) for a, b in ties if {org.dept_name(a), org.dept_name(b)} == {"Legal", "Marketing"})
    truths = {
        "seed": seed,
        "domain": ORG_DOMAIN,
        "periods": list(SAMPLE_PERIODS),
        "counts": {
            "people": org.size,
            "departments": len(DEPARTMENTS),
            "locations": len(set(org.locations)),
            "leaders": len(org.roles["leaders"]),
            "hired_in_window": len(org.roles["new_hires"]),
            "identities": org.size * 2 + sum(len(a) for a in org.aliases),
        },
        "departments": {name: int(org.in_dept(name).size) for name in DEPARTMENTS},
        "ceo": ids[0],
        "brokers": {"departments": ["Finance", "Design"], "people": [ids[k] for k in org.roles["brokers"]]},
        "fragile_bridge": {"departments": ["Finance", "Legal"], "person": ids[org.roles["bridge"][0]]},
        "silo_bridged": {"departments": ["Legal", "Marketing"], "first_period": "2026-08", "pairs": [list(p) for p in legal_marketing]},
        "advocates": [ids[k] for k in org.roles["advocates"]],
        "emerging_advocates": [ids[k] for k in org.roles["emerging"]],
        "vertical_department": "Operations",
        "leaders": [ids[k] for k in org.roles["leaders"]],
        "new_hires": {ids[k]: org.hire[k].isoformat() for k in org.roles["new_hires"]},
        "ties_per_period": {p: len(v) for p, v in realised.items()},
        "interactions": interactions,
        "email": email,
        "slack": slack,
        "calendar": calendar,
        "viva": viva,
        "audiences": audiences,
        "engagement": engagement,
    }
    (out / "truths.json").write_text(json.dumps(truths, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "README.md").write_text(_readme(truths), encoding="utf-8")
    return truths


def _readme(truths: dict[str, Any]) -> str:
    """The README of the samples folder: what each file is and the planted truths, with their person ids."""
    brokers, bridge, silo = truths["brokers"], truths["fragile_bridge"], truths["silo_bridged"]
    return f"""# Sample organisation: Acme (`{truths["domain"]}`)

Synthetic, generated by `python -m orgnet.synth samples --out data/samples --seed {truths["seed"]}`
(do not edit by hand: `tests/test_synth.py` checks these files equal a fresh generation).
`__init__.py` is not generated: it makes this folder the package `orgnet.samples`, and a regeneration leaves it alone.
{truths["counts"]["people"]} people in {truths["counts"]["departments"]} departments, four offices, activity {truths["periods"][0]} .. {truths["periods"][-1]}.
Subjects, bodies, Slack texts and meeting titles are `SECRET-...` markers that must never reach a store.

| file | what |
|---|---|
| `roster.csv`, `roster.xlsx` | HR roster (same content); `aliases` holds chat handles and old addresses, `level` is an extra HR attribute |
| `interactions.csv` | chat, call and collab rows; people named by id, address, handle or `Name <address>` |
| `email/archive.mbox`, `email/maildir/` | e-mail: {truths["email"]["mbox_messages"]} messages in the mbox, {truths["email"]["maildir_messages"]} in the Maildir, {truths["email"]["duplicates"]} of them in both ({truths["email"]["unique_messages"]} unique); {truths["email"]["broadcasts"]} broadcasts over 50 recipients; external and unknown internal addresses |
| `slack/` | unpacked Slack export: mentions, thread replies, reactions; one file per channel and month ({truths["slack"]["files"]} files, each named after the month's first day; Slack writes one per day) |
| `calendar/meetings.ics` | meetings; {truths["calendar"]["big_meetings"]} all-hands over 25 attendees; declined attendees |
| `viva/person_to_person.csv` | Viva Insights person-to-person export, monthly `MetricDate` |
| `audiences.csv` | social audiences: follower ids (overlapping), count-only accounts, brand accounts `Acme` |
| `engagement.csv` | advocacy actions on campaigns `acme-YYYY-MM-[abc]` (`-a` are leader-led) and own posts |
| `truths.json` | the planted truths below and the exact counts each ingester should report |

Planted truths (person ids in `truths.json`):
- Finance and Design talk only through the brokers {", ".join(brokers["people"])}.
- Every Finance-Legal tie runs through {bridge["person"]} (a fragile bridge).
- Legal and Marketing never talk before {silo["first_period"]}, then through {len(silo["pairs"])} pairs.
- Advocates {", ".join(truths["advocates"])}: engagement every month, large overlapping audiences, central.
- Emerging advocates {", ".join(truths["emerging_advocates"])}: near-silent until 2026-08, then rising.
- Operations people talk only with their manager and direct reports.
- Ties per month grow every month; {truths["counts"]["hired_in_window"]} people are hired inside the window and have no activity before.
- Leaders (managers) act only on the leader-led campaigns (`acme-YYYY-MM-a`), so their reach can be compared.
"""
