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
def base_url(samples_store):  # noqa: F811
    port = free_port()
    # As `orgnet serve` runs it (its protocol with the request deadline, no Server header).
    server = uvicorn.Server(uvicorn.Config(make_app(samples_store), host="127.0.0.1", port=port, **UVICORN_OPTIONS))
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
def page(browser, base_url, role_keys):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
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
    opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(f"{base_url}/login?next=/")
    opened.fill("#key", role_keys["analyst"])
    opened.click("#login")
    opened.wait_for_url(f"{base_url}/")
    opened.errors = errors
    yield opened
    context.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(
    "path,plot", [("/", "#plot-growth"), ("/silos", "#plot-heatmap"), ("/network", "#plot-network"), ("/advocates", "#plot-reach")]
)
def test_page_loads_and_draws_its_plot(page, base_url, path, plot):
    page.goto(base_url + path)
    page.wait_for_selector(f"{plot} .main-svg", timeout=20_000)
    if path == "/network":
        page.wait_for_selector("#plot-network[data-ready='1']", timeout=20_000)
    assert page.locator(f"{plot} .main-svg").count() >= 1
    _shot(page, "overview" if path == "/" else path.strip("/"))
    assert page.errors == []


def test_person_search_focuses_the_right_node(page, base_url):
    page.goto(f"{base_url}/network")
    page.wait_for_selector("#plot-network[data-ready='1']", timeout=20_000)
    assert page.get_attribute("#plot-network", "data-level") == "department"
    page.fill("#search", "E0187")
    page.click("#find")
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='person']", timeout=20_000)
    assert page.get_attribute("#plot-network", "data-focus") == "E0187"
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
    page.select_option("#department", "Legal")
    page.wait_for_selector("#plot-network[data-ready='1'][data-level='person']", timeout=20_000)
    assert "14 people" in page.inner_text("#status")
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
def report_id(samples_store):  # noqa: F811
    from orgnet.api.reports import write_report
    from orgnet.store.sqlite import SQLiteStore

    with SQLiteStore(samples_store) as store:
        return write_report(store, "2026-09", "2026-10", Path(samples_store).parent / "browser-report")["id"]


def test_a_growth_report_draws_its_figures_under_its_policy(page, base_url, report_id):
    page.goto(f"{base_url}/api/v1/reports/{report_id}")
    page.wait_for_selector(".plotly-graph-div .main-svg", timeout=20_000)
    assert page.locator(".plotly-graph-div .main-svg").count() >= 2
    _shot(page, "report")
    assert page.errors == []
