"""Real-browser tests: Playwright drives Debian's chromium against the app served by uvicorn on loopback.

Each page loads with no console errors and draws its plot; the person search
focuses the right node; the advocates page draws the ranking and the reach
curve; a screenshot of each page is kept in ``test-artifacts/``.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from api_fixtures import make_app, role_keys, samples_store  # noqa: F401

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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(samples_store):  # noqa: F811
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(make_app(samples_store), host="127.0.0.1", port=port, log_level="warning"))
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


@pytest.fixture
def page(browser, base_url, role_keys):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
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
