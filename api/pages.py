"""Browser pages: overview, network explorer, silos and advocates, server-rendered with plotly.

Pages ask for an API key once (``/login``) and keep a signed, HttpOnly,
SameSite=Strict session cookie holding the key's hash; the same roles apply
as in the API: the menu shows only the pages a role may open, and any other
answers an HTML 403 page (viewers get no advocates page: it names people). Figures come from :mod:`viz` and are drawn by the plotly.js
that orgnet serves itself (``/static/plotly.min.js``), so pages work offline.

The pages hold no inline script or style (the security policy of
:mod:`orgnet.api.websec` forbids them): their scripts and stylesheet are the
files of ``api/static/``, served under ``/static/``. The login and logout
forms carry a CSRF token; logging out is a POST.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import pandas as pd
import plotly.graph_objects as go
from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from orgnet.access import ADVOCATES, GROUPS, PEOPLE, SUMMARY, Principal, allowed, hash_key, suppress_pairs
from orgnet.api.assets import STATIC_FILES, VENDORED, templates
from orgnet.api.deps import SESSION_COOKIE, AuditDep, KeysDep, SettingsDep, SnapshotsDep, check, optional_principal, session_serializer
from orgnet.api.figures import broker_rows, communities_view, explorer_colors, explorer_figure, silo_view, squad_rows
from orgnet.api.graphs import community_view, group_view, membership
from orgnet.api.grouping import DEFAULT_BY, ByParam, GroupParam, analysed_groupings, grouped_result, page_grouping
from orgnet.api.params import DepartmentParam, PeriodParam, SquadParam
from orgnet.api.reports import GROWTH_WORDS, list_reports
from orgnet.api.services import advocate_table, group_sizes, hidden_groups, person_graph, reach_view, require_person_graphs
from orgnet.api.settings import Settings
from orgnet.api.suppression import hidden_communities, shown_groups
from orgnet.api.websec import CSRF_FIELD, form_token, set_form_cookie, valid_form_token
from orgnet.brokers import NETWORK_ROLES
from orgnet.jobs import BROKERS, FRAGILITY, REACH
from orgnet.jobs import SUMMARY as SUMMARY_JOB
from orgnet.model import person_names
from orgnet.reach import SQUAD_ACCOUNTS
from orgnet.viz.advocates import advocate_bar
from orgnet.viz.growth import growth_panels
from orgnet.viz.reach import reach_curve

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css"}

NAV = (
    ("/", "Overview", SUMMARY),
    ("/network", "Network", GROUPS),
    ("/communities", "Communities", GROUPS),
    ("/silos", "Silos", GROUPS),
    ("/advocates", "Advocates", ADVOCATES),
)

#: Growth reports listed on the overview, newest first.
REPORTS_SHOWN = 12


def _figure_json(figure: go.Figure) -> str:
    return figure.to_json()


def _page(request: Request, settings: Settings, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """``template`` with ``context``, and the CSRF token its forms carry (the browser's CSRF cookie set when new)."""
    token, fresh = form_token(request, settings)
    response = templates.TemplateResponse(
        request, template, {**context, "csrf_field": CSRF_FIELD, "csrf_token": token}, status_code=status_code
    )
    if fresh:
        set_form_cookie(response, fresh, settings)
    return response


def _render(request: Request, settings: Settings, template: str, principal: Principal, **context: Any) -> HTMLResponse:
    nav = [(href, title) for href, title, permission in NAV if allowed(principal.role, permission)]
    return _page(request, settings, template, {"principal": principal, "nav": nav, "path": request.url.path, **context})


def _safe_next(target: str | None) -> str:
    # Only paths on this site: an open redirect would let a link send a logged-in user anywhere.
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/static/{name}")
def static_file(name: str) -> FileResponse:
    """A script or stylesheet of the pages; plotly.js and Swagger UI (versioned by their packages) may be kept a day."""
    path = STATIC_FILES.get(name)
    if path is None:
        raise HTTPException(404, f"no static file {name!r}")
    cache = "public, max-age=86400" if path in VENDORED else "no-cache"
    return FileResponse(path, media_type=_MEDIA_TYPES[path.suffix], headers={"Cache-Control": cache})


@router.get("/favicon.ico")
def favicon() -> Response:
    """No icon (pages declare an empty one): a 204, so that a browser showing a report or JSON logs no 404 for it."""
    return Response(status_code=204)


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The interactive API documentation: Swagger UI on /openapi.json, its files served by orgnet itself."""
    return templates.TemplateResponse(request, "docs.html", {})


def _login_page(request: Request, settings: Settings, next: str | None, problem: str = "", status_code: int = 200) -> HTMLResponse:
    context: dict[str, Any] = {"next": _safe_next(next), "problem": problem, "principal": None, "nav": [], "path": "/login"}
    return _page(request, settings, "login.html", context, status_code)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, settings: SettingsDep, next: str | None = None) -> HTMLResponse:
    """Ask for an API key."""
    return _login_page(request, settings, next)


CsrfField = Annotated[str, Form(alias=CSRF_FIELD, max_length=500)]


@router.post("/login")
def login(
    request: Request,
    keys: KeysDep,
    settings: SettingsDep,
    key: Annotated[str, Form(max_length=500)],
    next: Annotated[str, Form(max_length=500)] = "/",
    csrf_token: CsrfField = "",
) -> Response:
    """Check the form's CSRF token, then the key, and start a session."""
    # The token first: a form posted from another site must not even learn whether a key is valid.
    if not valid_form_token(request, settings, csrf_token):
        return _login_page(request, settings, next, "This form expired or did not come from this site: log in again.", 403)
    if keys.authenticate(key) is None:
        return _login_page(request, settings, next, "That key is unknown or revoked.", 401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_serializer(settings).dumps(hash_key(key)),
        max_age=settings.session_max_age,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
    )
    return response


@router.post("/logout")
def logout(request: Request, settings: SettingsDep, csrf_token: CsrfField = "") -> Response:
    """End the session (a POST from this site's own logout form: a link or another site cannot log anyone out)."""
    if not valid_form_token(request, settings, csrf_token):
        raise HTTPException(403, "this logout form expired or did not come from this site; reload the page and log out again")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _page_principal(permission: str):
    """Dependency: the logged-in caller with ``permission`` (401 sends to the login page, 403 otherwise)."""

    async def dependency(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
        if principal is None:
            raise HTTPException(401, "log in first")
        return check(principal, permission)

    return dependency


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request,
    principal: Annotated[Principal, Depends(_page_principal(SUMMARY))],
    snapshots: SnapshotsDep,
    settings: SettingsDep,
    period: PeriodParam = None,
) -> HTMLResponse:
    """Headline numbers of a snapshot and their growth over periods."""
    label = snapshots.label(period)
    summary = snapshots.optional_result(SUMMARY_JOB, label)
    points = [(p, snapshots.optional_result(SUMMARY_JOB, p)) for p in snapshots.periods()]
    metrics = ["people_with_ties", "ties", "density"]
    table = pd.DataFrame([{"period": p, **{m: getattr(s, m) for m in metrics}} for p, s in points if s], columns=["period", *metrics])
    figure = growth_panels(table, metrics, GROWTH_WORDS, title="Growth over periods") if len(table) else None
    return _render(
        request,
        settings,
        "overview.html",
        principal,
        label=label,
        summary=summary,
        periods=snapshots.periods(),
        figure=_figure_json(figure) if figure is not None else None,
        reports=list_reports(snapshots.store)[:REPORTS_SHOWN],
        reports_full=allowed(principal.role, PEOPLE),
    )


@router.get("/network", response_class=HTMLResponse)
def network(
    request: Request,
    principal: Annotated[Principal, Depends(_page_principal(GROUPS))],
    snapshots: SnapshotsDep,
    settings: SettingsDep,
    audit_log: AuditDep,
    period: PeriodParam = None,
) -> HTMLResponse:
    """The network explorer (the figure itself comes from ``/network/figure``) and, for roles that see people, the
    brokers with their Cross & Prusak roles."""
    label = snapshots.label(period)
    analysed = snapshots.optional_result(SUMMARY_JOB, label) is not None
    groupings = analysed_groupings(snapshots, label) if analysed else [DEFAULT_BY]
    groups = shown_groups(snapshots, label, settings.min_group_size, groupings[0]) if analysed else []
    people_allowed = allowed(principal.role, PEOPLE)
    brokers = None
    if people_allowed and snapshots.optional_result(BROKERS, label) is not None:
        audit_log.record(principal, "page.network", f"{label} brokers")
        brokers = broker_rows(snapshots, label, person_names(snapshots.people()))
    return _render(
        request,
        settings,
        "network.html",
        principal,
        label=label,
        periods=snapshots.periods(),
        groups=groups,
        groupings=groupings,
        people_allowed=people_allowed,
        brokers=brokers,
        # The stored brokers are those of the default grouping (snapshots.result's default by).
        brokers_by=DEFAULT_BY,
        roles=NETWORK_ROLES,
    )


def _resolve_person(snapshots: Any, query: str) -> str | None:
    people = snapshots.people()
    if query in people.index:
        return query
    names = people["name"].fillna("").astype(str).str.lower()
    matches = people[names == query.lower()]
    if matches.empty:
        matches = people[names.str.contains(query.lower(), regex=False)]
    return None if matches.empty else str(matches.index[0])


@router.get("/network/figure", response_class=JSONResponse)
def network_figure_json(
    principal: Annotated[Principal, Depends(_page_principal(GROUPS))],
    snapshots: SnapshotsDep,
    settings: SettingsDep,
    audit_log: AuditDep,
    period: PeriodParam = None,
    level: Annotated[str, Query(pattern="^(group|community|person)$")] = "group",
    department: DepartmentParam = None,
    group: GroupParam = None,
    community: Annotated[int | None, Query(ge=0)] = None,
    person: Annotated[str | None, Query(max_length=200)] = None,
    color: Annotated[str, Query(pattern="^(group|community)$")] = "group",
    size: Annotated[str | None, Query(pattern="^(degree|betweenness|effective_size|brokerage|participation)$")] = None,
    by: ByParam = DEFAULT_BY,
) -> JSONResponse:
    """The explorer's figure (plotly JSON) with what it shows: ``{"figure", "level", "by", "focus", "focus_label", "suppressed",
    "note", "nodes", "groups", "groupings"}``.

    Errors are JSON (``{"error", "detail"}``) with their status, as in the API, so the page's script can show them.
    A period not analysed by ``by`` is shown by its default grouping, as the other pages do (:func:`page_grouping`);
    a group of ``by`` asked for there gives way to the period's groups. ``groupings`` lists the period's groupings.
    """
    label = snapshots.label(period)
    by, grouping_note = page_grouping(snapshots, label, by)
    if grouping_note is not None and group is not None and not person:
        group, level = None, "group"
    if person or level == "person":
        # The role is checked before the name is looked up: who exists is person-level data too.
        require_person_graphs(principal)
        focus = _resolve_person(snapshots, person) if person else None
        if person and focus is None:
            raise HTTPException(404, f"nobody matches {person!r}")
        view = person_graph(
            snapshots,
            label,
            settings.max_graph_nodes,
            principal,
            audit_log,
            "page.network",
            department=None if focus else department,
            community=None if focus else community,
            person=focus,
            by=by,
            group=None if focus else group,
        )
    elif level == "community":
        view = community_view(snapshots, label, settings.min_group_size, by)
    else:
        view = group_view(snapshots, label, settings.min_group_size, by)
    suppressed = [n.label for n in view.nodes if n.suppressed]
    hidden_note = (
        f"{len(suppressed)} group(s) are not drawn: those below the minimum size of {settings.min_group_size}, "
        "and the smallest others hidden with them so that no difference gives one group away"
        if suppressed
        else ""
    )
    note = " · ".join(part for part in (grouping_note, hidden_note) if part)
    colors = explorer_colors(group_sizes(snapshots, label, view.by), membership(snapshots, label, view.by).values())
    figure = explorer_figure(view, color, size, colors)
    return JSONResponse(
        {
            "figure": json.loads(_figure_json(figure)),
            "level": view.level,
            "by": view.by,
            "focus": view.focus,
            # Who the focus is, in words (the node's label: a name, or the id when the store names no one).
            "focus_label": next((n.label for n in view.nodes if n.id == view.focus), None),
            "suppressed": suppressed,
            "note": note,
            "nodes": len(view.nodes),
            # What the page's group menu offers: the groups of this grouping the group view draws.
            "groups": shown_groups(snapshots, label, settings.min_group_size, view.by),
            "groupings": analysed_groupings(snapshots, label),
        }
    )


@router.get("/silos", response_class=HTMLResponse)
def silos(
    request: Request,
    principal: Annotated[Principal, Depends(_page_principal(GROUPS))],
    snapshots: SnapshotsDep,
    settings: SettingsDep,
    audit_log: AuditDep,
    period: PeriodParam = None,
    by: ByParam = DEFAULT_BY,
) -> HTMLResponse:
    """Silo pairs against what group sizes predict, E-I per department, top-down against side-to-side work, and (for
    person-level roles) fragile bridges."""
    label = snapshots.label(period)
    by, grouping_note = page_grouping(snapshots, label, by)
    hidden = hidden_groups(snapshots, label, settings.min_group_size, by=by)
    view = silo_view(snapshots, label, hidden, by)
    fragile = None
    if allowed(principal.role, PEOPLE):
        audit_log.record(principal, "page.silos", label)
        # A suppressed pair's `fragile` is blanked, so it is never listed.
        fragile = [
            c for c in suppress_pairs(grouped_result(snapshots, FRAGILITY, label, by).carriers.to_pylist(), hidden) if c.get("fragile")
        ]
    return _render(
        request,
        settings,
        "silos.html",
        principal,
        label=label,
        periods=snapshots.periods(),
        by=by,
        grouping_note=grouping_note,
        groupings=analysed_groupings(snapshots, label),
        heatmap=_figure_json(view.heatmap),
        ei=_figure_json(view.ei),
        pairs=view.pairs,
        vertical=view.vertical,
        fragile=fragile,
        names=person_names(snapshots.people()),
        suppressed=sorted(hidden),
        min_group_size=settings.min_group_size,
    )


@router.get("/communities", response_class=HTMLResponse)
def communities(
    request: Request,
    principal: Annotated[Principal, Depends(_page_principal(GROUPS))],
    snapshots: SnapshotsDep,
    settings: SettingsDep,
    audit_log: AuditDep,
    period: PeriodParam = None,
    by: ByParam = DEFAULT_BY,
) -> HTMLResponse:
    """Formal against informal: the communities against the groups of ``by`` (heatmap, NMI and ARI in words), each
    community's size and dominant groups, and (for person-level roles) its top connectors by name."""
    label = snapshots.label(period)
    by, grouping_note = page_grouping(snapshots, label, by)
    hidden = hidden_groups(snapshots, label, settings.min_group_size, by=by)
    people_allowed = allowed(principal.role, PEOPLE)
    if people_allowed:
        audit_log.record(principal, "page.communities", f"{label} by={by}")
    view = communities_view(
        snapshots, label, hidden, hidden_communities(snapshots, label, settings.min_group_size, by), by, people=people_allowed
    )
    return _render(
        request,
        settings,
        "communities.html",
        principal,
        label=label,
        periods=snapshots.periods(),
        by=by,
        grouping_note=grouping_note,
        groupings=analysed_groupings(snapshots, label),
        view=view,
        heatmap=_figure_json(view.heatmap),
        people_allowed=people_allowed,
        min_group_size=settings.min_group_size,
    )


@router.get("/advocates", response_class=HTMLResponse)
def advocates(
    request: Request,
    principal: Annotated[Principal, Depends(_page_principal(ADVOCATES))],
    snapshots: SnapshotsDep,
    settings: SettingsDep,
    audit_log: AuditDep,
    period: PeriodParam = None,
    department: DepartmentParam = None,
    top: Annotated[int, Query(ge=1, le=100)] = 25,
    squad: SquadParam = None,
) -> HTMLResponse:
    """The advocate ranking with its explanations, and the reach curve of the best squad (``squad``: its first k
    members), its members by name with their roles as brokers."""
    label = snapshots.label(period)
    table = advocate_table(snapshots, label)
    rows = list(table.select(department or None, top))
    audit_log.record(principal, "page.advocates", f"{label} department={department or ''} top={top}")
    scores = pd.DataFrame(
        [
            {
                "label": r.name or r.person_id,
                "score": r.score,
                "influence": r.influence,
                "engagement": r.engagement,
                "reach": r.reach,
                "bridging": r.bridging,
            }
            for r in rows
        ],
        columns=["label", "score", "influence", "engagement", "reach", "bridging"],
    )
    bars = advocate_bar(scores, ["influence", "engagement", "reach", "bridging"], top=top, title="Advocate score by component")
    bars.update_layout(height=max(320, 22 * len(rows) + 160), yaxis_title_text="person")
    reach = reach_view(snapshots, label, principal, squad)
    stored_size = snapshots.result(REACH, label).squad_curve.num_rows
    # The curve shows the external reach (followers with known ids), as the figures beside it do.
    curve = pd.DataFrame([p.model_dump() for p in reach.squad.curve], columns=["k", "unique_reach_ids", "follower_sum"])
    curve = curve.rename(columns={"unique_reach_ids": "unique_reach"})
    follower_sum = reach.squad.reach.follower_sum
    brand = next((b.brand_unique for b in reach.brand if b.platform == "all"), None)
    figure = reach_curve(curve, follower_sum, brand, title="Squad size against unique reach")
    return _render(
        request,
        settings,
        "advocates.html",
        principal,
        label=label,
        periods=snapshots.periods(),
        departments=sorted(table.by_department),
        department=department or "",
        top=top,
        rows=rows,
        bars=_figure_json(bars),
        curve=_figure_json(figure),
        squad=reach.squad,
        squad_sizes=list(range(1, stored_size + 1)),
        members=squad_rows(snapshots, label, reach.squad.members or [], person_names(snapshots.people())),
        follower_sum=follower_sum,
        brand_reach=brand,
        squad_sentence=reach.squad.reach.sentence(SQUAD_ACCOUNTS),
        employees_sentence=reach.employees.sentence(),
    )
