"""Real-browser tests: Playwright drives Debian's chromium against the app served by uvicorn on loopback.

Each page (the login form, every page of the menu, the error pages, a growth
report) loads with no console error and draws its plot, under the security
policy orgnet sends: a violation of it is a console error too, so these tests
fail on any inline script or style the policy does not admit. The policy
itself is shown to hold (an injected inline script does not run). The person
search focuses the right node; the advocates page draws the ranking and the
reach curve; logging out is the header's button; a screenshot of each page is
kept in ``test-artifacts/``.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from api_fixtures import free_port, make_app, role_keys, samples_store  # noqa: F401

from orgnet.api.server import UVICORN_OPTIONS

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium (scripts/test.sh installs it as root)"
    ),
]


@pytest.fixture(scope="module")
def served_store(samples_store, role_keys, tmp_path_factory):  # noqa: F811
    """A copy of the samples store (with the roles' keys) whose latest period, 2026-10, is also analysed by level:
    L7 holds one person and L6 eight, so the level grouping suppresses them both."""
    from orgnet.analysis import AnalysisOptions, analyze
    from orgnet.store.sqlite import SQLiteStore

    path = tmp_path_factory.mktemp("browser") / "orgnet.db"
    shutil.copy(samples_store, path)
    with SQLiteStore(path) as store:
        analyze(store, "2026-10", options=AnalysisOptions(by="level"))
    return path


@pytest.fixture(scope="module")
def base_url(served_store):
    port = free_port()
    # As `orgnet serve` runs it (its protocol with the request deadline, no Server header).
    server = uvicorn.Server(uvicorn.Config(make_app(served_store), host="127.0.0.1", port=port, **UVICORN_OPTIONS))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


#: Run in every page before its own scripts: a violation of the security policy becomes a console error.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI} in ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def page_as(browser, base_url, role_keys):  # noqa: F811
    """Open a page logged in with a role's key; the page's ``errors`` list its console errors and failed requests (5xx)."""
    contexts = []

    def open_page(role: str):
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        contexts.append(context)
        return _logged_in(context, base_url, role_keys[role])

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(page_as):
    return page_as("analyst")


def _logged_in(context, base_url, key):
    context.add_init_script(REPORT_VIOLATIONS)
    # Everything the page needs comes from orgnet itself: any other request is a failure.
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(base_url) or route.request.url.startswith("data:") else route.abort()
        ),
    )
    opened = context.new_page()
    errors: list[str] = []
    # Warnings count too: plotly.js reports a bad figure (an invalid colour, say) as a console warning or trace.
    opened.on("console", lambda message: errors.append(message.text) if message.type in ("error", "warning", "trace") else None)
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("response", lambda answer: errors.append(f"{answer.status} {answer.url}") if answer.status >= 500 else None)
    opened.goto(f"{base_url}/login?next=/")
    opened.fill("#key", key)
    opened.click("#login")
    opened.wait_for_url(f"{base_url}/")
    opened.errors = errors
    return opened


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(
    "path,plot",
    [
        ("/", "#plot-growth"),
        ("/silos", "#plot-heatmap"),
        ("/network", "#plot-network"),
        ("/communities", "#plot-communities"),
        ("/advocates", "#plot-reach"),
    ],
)
def test_page_loads_and_draws_its_plot(page, base_url, path, plot):
    page.goto(base_url + path)
    page.wait_for_selector(f"{plot} .main-svg", timeout=20_000)
    if path == "/network":
        page.wait_for_selector("#plot-network[data-ready='1']", timeout=20_000)
    assert page.locator(f"{plot} .main-svg").count() >= 1
    _shot(page, "overview" if path == "/" else path.strip("/"))
    assert page.errors == []


def test_the_overview_switches_period_and_draws_each_growth_panel(page, base_url):
    page.goto(f"{base_url}/")
    page.wait_for_selector("#plot-growth .main-svg", timeout=20_000)
    # One panel per quantity, titled in words.
    titles = page.locator("#plot-growth .annotation-text").all_text_contents()
    assert titles == ["people with ties", "ties", "density"]
    page.select_option("#period", "2026-08")
    page.wait_for_url("**period=2026-08")
    assert "Overview · 2026-08" in page.inner_text("h1")
    page.wait_for_selector("#plot-growth .main-svg", timeout=20_000)
    assert page.errors == []


def test_the_network_page_switches_period(page, base_url):
    page.goto(f"{base_url}/network")
    page.wait_for_selector("#plot-network[data-ready='1']", timeout=20_000)
    with page.expect_response(lambda answer: "/network/figure?period=2026-08" in answer.url) as figure:
        page.select_option("#period", "2026-08")
    assert figure.value.status == 200
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='group']", timeout=20_000)
    assert "8 departments" in page.inner_text("#status") and page.locator("#brokers tr").count() == 11
    assert page.errors == []


def test_the_network_page_asks_for_the_grouping_it_shows(page, base_url):
    page.goto(f"{base_url}/network?period=2026-09")
    page.wait_for_selector("#plot-network[data-ready='1']", timeout=20_000)
    # 2026-09 is analysed by department only; 2026-10 by level too (see served_store).
    assert page.locator("#by option").all_inner_texts() == ["department"]
    with page.expect_response(lambda answer: "/network/figure?" in answer.url and "by=department" in answer.url) as figure:
        page.select_option("#level", "community")
    assert figure.value.status == 200 and figure.value.json()["by"] == "department"
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='community']", timeout=20_000)
    assert "communities" in page.inner_text("#status")
    assert page.errors == []


def test_the_silos_page_switches_period(page, base_url):
    page.goto(f"{base_url}/silos")
    page.wait_for_selector("#plot-heatmap .main-svg", timeout=20_000)
    page.select_option("#period", "2026-09")
    page.wait_for_url("**period=2026-09&by=department")
    page.wait_for_selector("#plot-heatmap .main-svg", timeout=20_000)
    assert "Silos · 2026-09" in page.inner_text("h1") and page.locator("#silo-pairs tr").count() > 3
    assert page.errors == []


def test_the_communities_page_is_in_the_menu_and_switches_period(page, base_url):
    page.goto(f"{base_url}/")
    page.click("header a[href='/communities']")
    page.wait_for_selector("#plot-communities .main-svg", timeout=20_000)
    page.select_option("#period", "2026-08")
    page.wait_for_url("**period=2026-08&by=department")
    page.wait_for_selector("#plot-communities .main-svg", timeout=20_000)
    assert "Communities · 2026-08" in page.inner_text("h1")
    assert re.search(r"NMI \d\.\d\d, ARI -?\d\.\d\d", page.inner_text("#agreement"))
    # One heatmap row per community listed, each with its connectors named.
    rows = page.locator("#communities tr").count() - 1
    assert rows == len(page.evaluate("document.querySelector('#plot-communities').data[0].y")) and rows > 3
    assert page.locator("#communities tr:nth-child(2) td:nth-child(5) .note").count() == 3
    _shot(page, "communities-2026-08")
    assert page.errors == []


def test_the_login_page_says_an_unknown_key_in_words(browser, base_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        login = context.new_page()
        errors: list[str] = []
        login.on("console", lambda message: errors.append(message.text) if message.type in ("error", "warning") else None)
        login.goto(f"{base_url}/login?next=/")
        _shot(login, "login")
        login.fill("#key", "orgnet_not-a-key")
        login.click("#login")
        login.wait_for_selector("#login-error")
        assert "unknown or revoked" in login.inner_text("#login-error")
        assert errors == ["Failed to load resource: the server responded with a status of 401 (Unauthorized)"]
    finally:
        context.close()


def test_person_search_focuses_the_right_node(page, base_url):
    page.goto(f"{base_url}/network")
    page.wait_for_selector("#plot-network[data-ready='1']", timeout=20_000)
    assert page.get_attribute("#plot-network", "data-level") == "group"
    page.fill("#search", "E0187")
    page.click("#find")
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='person']", timeout=20_000)
    assert page.get_attribute("#plot-network", "data-focus") == "E0187"
    assert "focus Carla Olsen (E0187)" in page.inner_text("#status")
    # The focused node is drawn with the thick outline the figure gives the highlighted node.
    outlined = page.evaluate(
        """() => {
          const plot = document.getElementById("plot-network");
          const found = [];
          for (const trace of plot._fullData) {
            if (!trace.meta || trace.meta.role !== "nodes") continue;
            const widths = trace.marker.line.width;
            trace.customdata.forEach((id, i) => { if ((typeof widths === "number" ? widths : widths[i]) >= 3) found.push(id); });
          }
          return found;
        }"""
    )
    assert outlined == ["E0187"]
    _shot(page, "network-focus")
    assert page.errors == []


def test_clicking_a_department_drills_down(page, base_url):
    page.goto(f"{base_url}/network")
    page.wait_for_selector("#plot-network[data-ready='1']", timeout=20_000)
    page.select_option("#group", "Legal")
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='person']", timeout=20_000)
    assert "14 people" in page.inner_text("#status")
    assert page.errors == []


def _hover_and_click(page, x: float, y: float) -> None:
    """Click the plotted point at (x, y) as a person does: hover it until plotly shows its label, then click.

    plotly.js finds the point under the mouse on its drag layer and emits a click only for the point it last
    hovered, so a click sent before the hover label is drawn can be lost.
    """
    page.mouse.move(x, y)
    page.wait_for_selector(".plotly .hoverlayer .hovertext", timeout=10_000)
    page.mouse.click(x, y)


def _click_point(page, point) -> None:
    """Click the plotted point drawn by the element ``point`` (a locator)."""
    box = point.bounding_box()
    _hover_and_click(page, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def _node_colors(page) -> dict[str, str]:
    """Node id -> colour of every node point drawn on the Network page."""
    return page.evaluate(
        """() => {
          const colors = {};
          for (const trace of document.getElementById("plot-network")._fullData) {
            if (!trace.meta || trace.meta.role !== "nodes") continue;
            trace.customdata.forEach((id, i) => { colors[id] = Array.isArray(trace.marker.color) ? trace.marker.color[i] : trace.marker.color; });
          }
          return colors;
        }"""
    )


def test_the_communities_view_draws_labelled_communities_whose_labels_do_not_overlap(page, base_url):
    page.goto(f"{base_url}/network")
    page.wait_for_selector("#plot-network[data-ready='1']", timeout=20_000)
    page.select_option("#level", "community")
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='community']", timeout=20_000)
    assert "communities" in page.inner_text("#status")
    # Every community is drawn once, keyed by its number, and labelled once in the column beside the plot.
    ids = page.evaluate(
        """() => document.getElementById("plot-network")._fullData.filter((t) => t.meta && t.meta.role === "nodes")
             .flatMap((t) => t.customdata.map(String))"""
    )
    texts = page.locator("#plot-network .annotation-text").all_text_contents()
    assert len(ids) == len(set(ids)) >= 5 and sorted(texts) == sorted(t for t in texts if re.search(r"\(community \d+\)$", t))
    assert sorted(int(re.search(r"community (\d+)\)$", t).group(1)) for t in texts) == sorted(int(i) for i in ids)
    # No two label boxes share a pixel, and none covers a community's node.
    boxes = page.evaluate(
        """() => [...document.querySelectorAll("#plot-network .annotation-text")].map((e) => {
             const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""
    )
    nodes = page.evaluate(
        """() => [...document.querySelectorAll("#plot-network .scatterlayer .point")].map((e) => {
             const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""
    )

    def overlap(a, b):
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    assert len(boxes) == len(ids) and all(b[2] > b[0] and b[3] > b[1] for b in boxes)
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if overlap(a, b)]
    assert not [(a, n) for a in boxes for n in nodes if overlap(a, n)]
    _shot(page, "network-communities")
    assert page.errors == []


def test_a_department_keeps_its_colour_and_label_when_drilled_into(page, base_url):
    page.goto(f"{base_url}/network")
    page.wait_for_selector("#plot-network[data-ready='1']", timeout=20_000)
    before = _node_colors(page)["Legal"]
    assert page.locator("#plot-network .textpoint", has_text="Legal").count() == 1
    page.select_option("#group", "Legal")
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='person']", timeout=20_000)
    assert set(_node_colors(page).values()) == {before}
    assert page.errors == []


def test_an_unknown_person_is_said_in_words_and_clears_the_graph(page, base_url):
    page.goto(f"{base_url}/network")
    page.wait_for_selector("#plot-network[data-ready='1']", timeout=20_000)
    page.fill("#search", "Nobody Atall")
    page.click("#find")
    page.wait_for_selector("#plot-network[data-ready='1'][data-error='404']", timeout=20_000)
    assert "Error 404: nobody matches 'Nobody Atall'" in page.inner_text("#status")
    assert page.get_attribute("#status", "class") == "error"
    assert page.locator("#plot-network .main-svg").count() == 0
    _shot(page, "network-unknown-person")
    # The browser notes the 404 of the fetch; nothing else went wrong.
    assert page.errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]


def test_a_viewer_is_told_why_a_click_opens_no_group(page_as, base_url):
    page = page_as("viewer")
    page.goto(f"{base_url}/network")
    page.wait_for_selector("#plot-network[data-ready='1']", timeout=20_000)
    assert "sees groups only" in page.inner_text("#status")
    assert page.locator("#group").count() == 0
    _click_point(page, page.locator("#plot-network .scatterlayer .point").first)
    page.wait_for_selector("#status.error", timeout=10_000)
    assert "may not see people" in page.inner_text("#status")
    assert page.errors == []


def test_the_silo_heatmap_says_each_pair_in_words(page, base_url):
    page.goto(f"{base_url}/silos")
    page.wait_for_selector("#plot-heatmap .main-svg", timeout=20_000)
    # Hover a cell off the diagonal: the label says the pair's ties against what their sizes predict.
    box = page.locator("#plot-heatmap .nsewdrag").first.bounding_box()
    groups = page.evaluate("() => document.getElementById('plot-heatmap')._fullData[0].x.length")
    page.mouse.move(box["x"] + box["width"] * 1.5 / groups, box["y"] + box["height"] * 0.5 / groups)
    page.wait_for_selector("#plot-heatmap .hovertext", timeout=10_000)
    label = page.get_attribute("#plot-heatmap .hovertext text.nums", "data-unformatted")
    assert re.fullmatch(
        r"\w+ and \w+: [\d,]+ ties?, [\d,.]+ expected \([\d.,]+× what their sizes predict\)(<br>a silo: under 0.2×)?", label
    ), label
    assert page.locator("#silo-pairs tr").count() > 3 and page.locator("#vertical tr").count() > 3
    _shot(page, "silos")
    assert page.errors == []


def test_advocates_page_draws_the_ranking_and_the_reach_curve(page, base_url, truths):
    page.goto(f"{base_url}/advocates?top=10")
    page.wait_for_selector("#plot-reach .main-svg", timeout=20_000)
    page.wait_for_selector("#plot-advocates .main-svg", timeout=20_000)
    # The curve and the two reference lines (sum of follower counts, brand accounts) are drawn.
    drawn = page.evaluate(
        """() => {
          const plot = document.getElementById("plot-reach");
          return {points: plot._fullData[0].x.length, lines: (plot._fullLayout.shapes || []).length};
        }"""
    )
    assert drawn["points"] >= 5 and drawn["lines"] == 2
    ranked = page.locator("#advocates tr td:nth-child(2)").all_inner_texts()
    assert len(ranked) == 10 and all(any(p in row for row in ranked[:5]) for p in truths["advocates"])
    page.select_option("#department", "Sales")
    page.wait_for_url("**department=Sales**")
    assert set(page.locator("#advocates tr td:nth-child(3)").all_inner_texts()) == {"Sales"}
    _shot(page, "advocates-sales")
    assert page.errors == []


def test_a_smaller_squad_redraws_the_curve_and_names_its_members(page, base_url):
    page.goto(f"{base_url}/advocates?top=10")
    page.wait_for_selector("#plot-reach .main-svg", timeout=20_000)
    whole = page.locator("#squad-members tr").count() - 1
    page.select_option("#squad", "3")
    page.wait_for_url("**squad=3**")
    page.wait_for_selector("#plot-reach .main-svg", timeout=20_000)
    assert whole > 3 and page.locator("#squad-members tr").count() == 4
    assert page.inner_text("#reach-sentences").startswith("The best 3: ")
    assert page.evaluate("document.getElementById('plot-reach')._fullData[0].x.length") == 3
    # Each member is named beside their id, in the order the greedy chose them.
    assert page.locator("#squad-members tr td:nth-child(1)").all_inner_texts() == ["1", "2", "3"]
    assert all(" E0" in row for row in page.locator("#squad-members tr td:nth-child(2)").all_inner_texts())
    _shot(page, "advocates-squad-3")
    assert page.errors == []


def test_the_security_policy_holds_in_the_browser(page, base_url):
    """What the policy forbids does not happen (and is reported), and what plotly.js needs still works."""
    page.goto(f"{base_url}/silos")
    page.wait_for_selector("#plot-heatmap .main-svg", timeout=20_000)
    assert page.errors == []
    outcome = page.evaluate(
        """async () => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
          const style = document.createElement("style");
          style.textContent = "body { color: rgb(1, 2, 3) }";
          document.head.append(style);
          const div = document.createElement("div");
          div.setAttribute("style", "color: rgb(4, 5, 6)");
          document.body.append(div);
          await new Promise((done) => setTimeout(done, 200));
          const plotly = document.getElementById("plotly.js-style-global");
          return {
            script: window.injected === true,
            style: getComputedStyle(document.body).color,
            attribute: getComputedStyle(div).color,
            plotlyRules: plotly ? plotly.sheet.cssRules.length : 0,
          };
        }"""
    )
    assert outcome["script"] is False and outcome["style"] != "rgb(1, 2, 3)" and outcome["attribute"] != "rgb(4, 5, 6)"
    reported = " ".join(page.errors)
    assert "CSP violation: script-src-elem" in reported and "CSP violation: style-src-elem" in reported
    assert "CSP violation: style-src-attr" in reported
    # plotly.js's own stylesheet (modebar, hover labels) is admitted and filled.
    assert outcome["plotlyRules"] > 10


@pytest.mark.parametrize(
    "path,status",
    [
        ("/silos?period=2026-01", "404 (Not Found)"),
        ("/nothing-here", "404 (Not Found)"),
        ("/advocates?top=1&top=2", "422 (Unprocessable Entity)"),
    ],
)
def test_error_pages_load_without_console_error(page, base_url, path, status):
    page.goto(base_url + path)
    page.wait_for_selector("#error-title")
    if path.startswith("/silos"):
        _shot(page, "error-page")
    # The one message is the browser noting the page's own status; every file the page loads is served.
    assert page.errors == [f"Failed to load resource: the server responded with a status of {status}"]


def test_logging_out_is_the_headers_button(page, base_url):
    page.goto(f"{base_url}/silos")
    page.click("#logout")
    page.wait_for_url(f"{base_url}/login")
    page.goto(f"{base_url}/silos")
    page.wait_for_url(f"{base_url}/login?next=/silos")
    assert page.errors == []


@pytest.fixture(scope="module")
def report_id(served_store):
    from orgnet.api.reports import write_report
    from orgnet.store.sqlite import SQLiteStore

    with SQLiteStore(served_store) as store:
        return write_report(store, "2026-09", "2026-10", Path(served_store).parent / "browser-report")["id"]


def _overflow(page) -> int:
    """How many pixels the page is wider than its window (0: no sideways scrolling)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def test_a_growth_report_draws_its_figures_under_its_policy(page, base_url, report_id):
    page.goto(f"{base_url}/api/v1/reports/{report_id}")
    page.wait_for_selector(".plotly-graph-div .main-svg", timeout=20_000)
    assert page.locator(".plotly-graph-div .main-svg").count() >= 2
    assert _overflow(page) <= 0
    # Each growth metric has its own panel titled in words: no raw column name on any axis or panel.
    titles = page.locator(
        ".plotly-graph-div .annotation-text, .plotly-graph-div .g-xtitle, .plotly-graph-div .g-ytitle"
    ).all_text_contents()
    assert "people with ties" in titles and not [t for t in titles if "_" in t]
    _shot(page, "report")
    # Printed on A4 (794 px at 96 dpi) nothing runs off the page either.
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})
    page.wait_for_timeout(500)
    assert _overflow(page) <= 0
    assert page.errors == []


def test_a_viewer_opens_the_aggregate_form_of_a_report(page_as, base_url, report_id):
    page = page_as("viewer")
    page.goto(f"{base_url}/")
    assert "aggregate form" in page.inner_text("#reports-form")
    page.click(f"#reports a[href='/api/v1/reports/{report_id}']")
    page.wait_for_selector(".plotly-graph-div .main-svg", timeout=20_000)
    assert "(aggregate form)" in page.inner_text("h1")
    assert not re.search(r"E\\d{4}", page.inner_text("body")) and page.locator("text=Advocate movers").count() == 0
    _shot(page, "report-aggregate")
    assert page.errors == []


def test_the_api_docs_work_offline(page, base_url):
    # The page fixture aborts every request that is not to orgnet itself, so this is the page offline.
    page.goto(f"{base_url}/docs")
    page.wait_for_selector("#swagger-ui .opblock", timeout=20_000)
    assert page.locator("#swagger-ui .opblock").count() >= 20
    assert "orgnet" in page.inner_text("#swagger-ui .info")
    _shot(page, "docs")
    assert page.errors == []


# --- Another grouping than departments: the test store's 2026-10 is analysed by level too (served_store) -----------


def test_the_silos_page_switches_to_another_grouping(page, base_url):
    page.goto(f"{base_url}/silos?period=2026-10")
    page.wait_for_selector("#plot-heatmap .main-svg", timeout=20_000)
    assert page.locator("#by option").all_inner_texts() == ["department", "level"]
    page.select_option("#by", "level")
    page.wait_for_url("**period=2026-10&by=level")
    page.wait_for_selector("#plot-heatmap .main-svg", timeout=20_000)
    assert "by level" in page.inner_text("h1")
    assert page.evaluate("document.getElementById('plot-heatmap')._fullData[0].x") == ["L2", "L3", "L4", "L5", "L6", "L7"]
    # L7 (one person) is suppressed in this grouping: no table names it.
    assert "L7" not in page.inner_text("#silo-pairs") and page.locator("#silo-pairs tr").count() > 1
    _shot(page, "silos-by-level")
    assert page.errors == []


def _group_point(page, ident: str) -> dict[str, float]:
    """Where on the screen the Network page draws node ``ident`` (from the plot's axes)."""
    return page.evaluate(
        """(ident) => {
          const plot = document.getElementById("plot-network");
          const box = plot.getBoundingClientRect(), layout = plot._fullLayout;
          for (const trace of plot._fullData) {
            if (!trace.meta || trace.meta.role !== "nodes") continue;
            const i = trace.customdata.map(String).indexOf(ident);
            if (i >= 0) return {x: box.left + layout.xaxis._offset + layout.xaxis.l2p(trace.x[i]),
                                y: box.top + layout.yaxis._offset + layout.yaxis.l2p(trace.y[i])};
          }
          return null;
        }""",
        ident,
    )


def _click_node(page, ident: str) -> None:
    """Click node ``ident`` on the Network page."""
    point = _group_point(page, ident)
    _hover_and_click(page, point["x"], point["y"])


@pytest.mark.parametrize(("path", "plot"), [("/silos", "#plot-heatmap"), ("/communities", "#plot-communities")])
def test_switching_to_a_period_not_analysed_by_level_shows_it_by_department(page, base_url, path, plot):
    page.goto(f"{base_url}{path}?period=2026-10&by=level")
    page.wait_for_selector(f"{plot} .main-svg", timeout=20_000)
    page.select_option("#period", "2026-09")
    page.wait_for_url("**period=2026-09&by=level")
    page.wait_for_selector(f"{plot} .main-svg", timeout=20_000)
    assert "· 2026-09 · by department" in page.inner_text("h1") and page.input_value("#by") == "department"
    assert "2026-09 is not analysed by level, so this shows it by department" in page.inner_text("#grouping-note")
    assert page.errors == []


def test_the_network_page_switched_to_a_period_not_analysed_by_level_shows_its_departments(page, base_url):
    page.goto(f"{base_url}/network?period=2026-10")
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='group']", timeout=20_000)
    page.select_option("#by", "level")
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='group']", timeout=20_000)
    page.select_option("#group", "L3")
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='person']", timeout=20_000)
    # 2026-09 is analysed by department only: its departments, said in words, the menus following.
    page.select_option("#period", "2026-09")
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='group']", timeout=20_000)
    assert "2026-09 is not analysed by level, so this shows it by department" in page.inner_text("#status")
    assert "L3" not in page.inner_text("#status") and page.input_value("#level") == "group"
    assert page.input_value("#by") == "department" and page.locator("#by option").all_inner_texts() == ["department"]
    assert page.inner_text("#group-label") == "department" and page.input_value("#group") == ""
    # Back to 2026-10: both groupings are offered again.
    page.select_option("#period", "2026-10")
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='group']", timeout=20_000)
    assert page.locator("#by option").all_inner_texts() == ["department", "level"]
    assert page.errors == []


def test_the_group_menu_opens_a_level_and_follows_the_grouping(page, base_url):
    page.goto(f"{base_url}/network?period=2026-10")
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='group']", timeout=20_000)
    assert page.inner_text("#group-label") == "department" and "Legal" in page.locator("#group option").all_inner_texts()
    page.select_option("#by", "level")
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='group']", timeout=20_000)
    page.select_option("#group", "L4")
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='person']", timeout=20_000)
    assert re.match(r"\d+ people · level L4", page.inner_text("#status"))
    # Back to departments: the menu lists departments again, nothing chosen.
    page.select_option("#by", "department")
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='group']", timeout=20_000)
    assert page.inner_text("#group-label") == "department" and page.input_value("#group") == ""
    assert "L4" not in page.locator("#group option").all_inner_texts()
    assert page.errors == []


def _loneliest_node(page) -> str:
    """The node the Network page draws furthest (in screen pixels) from its nearest other node."""
    return page.evaluate(
        """() => {
          const plot = document.getElementById("plot-network"), layout = plot._fullLayout, points = [];
          for (const trace of plot._fullData) {
            if (!trace.meta || trace.meta.role !== "nodes") continue;
            trace.customdata.forEach((id, i) => points.push([String(id), layout.xaxis.l2p(trace.x[i]), layout.yaxis.l2p(trace.y[i])]));
          }
          let best = null, bestGap = -1;
          for (const [id, x, y] of points) {
            let gap = Infinity;
            for (const [other, ox, oy] of points) if (other !== id) gap = Math.min(gap, Math.hypot(x - ox, y - oy));
            if (gap > bestGap) { best = id; bestGap = gap; }
          }
          return best;
        }"""
    )


def test_the_network_page_opens_a_level_in_its_colour_and_focuses_a_person_in_it(page, base_url):
    page.goto(f"{base_url}/network?period=2026-10")
    page.wait_for_selector("#plot-network[data-ready='1']", timeout=20_000)
    with page.expect_response(lambda answer: "/network/figure?" in answer.url and "by=level" in answer.url) as figure:
        page.select_option("#by", "level")
    assert figure.value.status == 200 and figure.value.json()["level"] == "group"
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='group']", timeout=20_000)
    assert "groups of level" in page.inner_text("#status") and "2 group(s) are not drawn" in page.inner_text("#status")
    assert sorted(_node_colors(page)) == ["L2", "L3", "L4", "L5"]
    assert page.locator("#plot-network .textpoint", has_text="L3").count() == 1
    # The group menu offers the groups drawn, of the grouping shown: no department, no suppressed level.
    assert page.inner_text("#group-label") == "level"
    assert page.locator("#group option").all_inner_texts() == ["(click a group)", "L2", "L3", "L4", "L5"]
    colour = _node_colors(page)["L3"]
    _shot(page, "network-by-level")
    # A click on L3 opens its people, coloured as L3 was, the legend titled by the grouping.
    with page.expect_response(lambda answer: "group=L3" in answer.url) as opened:
        _click_node(page, "L3")
    assert opened.value.status == 200 and "by=level" in opened.value.url
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='person']", timeout=20_000)
    assert re.match(r"\d+ people · level L3", page.inner_text("#status")) and page.input_value("#group") == "L3"
    people = _node_colors(page)
    assert len(people) > 5 and set(people.values()) == {colour}
    assert page.evaluate("document.getElementById('plot-network')._fullLayout.legend.title.text") == "level"
    assert page.input_value("#color") == "group" and page.inner_text("#color option[value='group']") == "level"
    _shot(page, "network-level-L3")
    # Colouring by community recolours the same people.
    page.select_option("#color", "community")
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='person']", timeout=20_000)
    assert set(_node_colors(page)) == set(people)
    assert page.evaluate("document.getElementById('plot-network')._fullLayout.legend.title.text") == "community"
    # A click on one of them focuses on that person: the one drawn furthest from any other, so no neighbour takes the click.
    person = _loneliest_node(page)
    assert person in people
    _click_node(page, person)
    page.wait_for_selector(f"#plot-network[data-ready='1'][data-focus='{person}']", timeout=20_000)
    assert f"({person})" in page.inner_text("#status") or f"focus {person}" in page.inner_text("#status")
    _shot(page, "network-level-person")
    assert page.errors == []


def test_the_communities_page_switches_to_another_grouping(page, base_url):
    page.goto(f"{base_url}/communities?period=2026-10")
    page.wait_for_selector("#plot-communities .main-svg", timeout=20_000)
    page.select_option("#by", "level")
    page.wait_for_url("**period=2026-10&by=level")
    page.wait_for_selector("#plot-communities .main-svg", timeout=20_000)
    assert "by level" in page.inner_text("h1")
    assert re.search(r"NMI \d\.\d\d, ARI -?\d\.\d\d", page.inner_text("#agreement"))
    # The heatmap's columns are the levels, those of L6 and L7 (suppressed in this grouping) blank; the table's groups
    # are levels too.
    heatmap = page.evaluate("(() => { const t = document.getElementById('plot-communities').data[0]; return {x: t.x, z: t.z}; })()")
    assert heatmap["x"] == ["L2", "L3", "L4", "L5", "L6", "L7"]
    assert all(row[4] is None and row[5] is None for row in heatmap["z"]) and any(row[1] for row in heatmap["z"])
    assert "L7" not in page.inner_text("#communities") and "L3" in page.inner_text("#communities")
    _shot(page, "communities-by-level")
    assert page.errors == []
