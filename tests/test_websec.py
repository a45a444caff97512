"""Browser security through the real app on a real store: what the session cookie may do, CSRF tokens on login and
logout, the security headers of every kind of answer, OPTIONS and Allow, and repeated query parameters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from api_fixtures import form_token, log_in, log_out, make_app, origin, role_keys, samples_store  # noqa: F401
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from orgnet.api.websec import CSRF_COOKIE, PAGE_POLICY

pytestmark = pytest.mark.xdist_group("api")

TEMPLATES = Path(__file__).resolve().parent.parent / "api" / "templates"
EVIL = {"Origin": "http://evil.example"}


@pytest.fixture(scope="module")
def client(samples_store):  # noqa: F811
    with TestClient(make_app(samples_store)) as test_client:
        yield test_client


def _browser(app, key: str | None = None) -> TestClient:
    """A browser of its own (its own cookies) on the running ``app``, logged in with ``key`` when given (no `with`:
    entering it would run the app's lifespan again, and its end would close the shared store)."""
    browser = TestClient(app, follow_redirects=False)
    if key is not None:
        assert log_in(browser, key).status_code == 303
    return browser


def _key_ids(client, admin_key: str) -> set[str]:
    return {k["key_id"] for k in client.get("/api/v1/keys", headers={"X-API-Key": admin_key}).json() if k["revoked_at"] is None}


# --- What the session cookie may do -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        EVIL,
        {"Referer": "http://evil.example/page"},
        {},  # neither Origin nor Referer: nothing says the request came from this site
        {"Origin": "null"},
        {"Origin": "http://testserver:8080"},  # another port is another origin
        {"Origin": "https://testserver"},  # and so is another scheme
        {"Origin": "http://evil.example", "Referer": "http://testserver/"},  # Origin, when sent, is what counts
    ],
)
def test_a_cookie_request_from_another_origin_is_refused_and_creates_nothing(client, role_keys, headers):  # noqa: F811
    admin = _browser(client.app, role_keys["admin"])
    before = _key_ids(client, role_keys["admin"])
    refused = admin.post("/api/v1/keys", json={"role": "admin", "name": "planted"}, headers=headers)
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/json"
    assert refused.json()["error"] == "forbidden" and "cross-origin" in refused.json()["detail"]
    victim = sorted(before)[0]
    assert admin.delete(f"/api/v1/keys/{victim}", headers=headers).status_code == 403
    assert _key_ids(client, role_keys["admin"]) == before
    # Reads stay open to the cookie: they change nothing.
    assert admin.get("/api/v1/keys", headers=headers).status_code == 200


@pytest.mark.parametrize(
    "headers", [{"Origin": "http://testserver"}, {"Referer": "http://testserver/"}, {"Origin": "http://TESTSERVER:80"}]
)
def test_a_cookie_request_from_this_site_is_served(client, role_keys, headers):  # noqa: F811
    admin = _browser(client.app, role_keys["admin"])
    created = admin.post("/api/v1/keys", json={"role": "viewer", "name": "same origin"}, headers=headers)
    assert created.status_code == 201
    assert created.json()["key_id"] in _key_ids(client, role_keys["admin"])
    assert admin.delete(f"/api/v1/keys/{created.json()['key_id']}", headers=headers).status_code == 204


def test_an_api_key_header_is_not_an_ambient_credential_and_is_unaffected(client, role_keys):  # noqa: F811
    bearer = {"Authorization": f"Bearer {role_keys['admin']}"}
    for credential in ({"X-API-Key": role_keys["admin"]}, bearer):
        created = client.post("/api/v1/keys", json={"role": "viewer", "name": "script"}, headers={**credential, **EVIL})
        assert created.status_code == 201
        assert client.delete(f"/api/v1/keys/{created.json()['key_id']}", headers={**credential, **EVIL}).status_code == 204
    # With a key header the cookie is not read at all, so the request is the key's, whatever its origin.
    admin = _browser(client.app, role_keys["admin"])
    created = admin.post("/api/v1/keys", json={"role": "viewer", "name": "both"}, headers={"X-API-Key": role_keys["admin"], **EVIL})
    assert created.status_code == 201
    # A header that names no key leaves the cookie in charge, and the cookie's rule applies.
    assert admin.post("/api/v1/keys", json={"role": "viewer"}, headers={"Authorization": "Bearer ", **EVIL}).status_code == 403


def test_every_state_changing_route_refuses_a_foreign_cookie_request(client, role_keys):  # noqa: F811
    analyst = _browser(client.app, role_keys["analyst"])
    answer = analyst.post("/api/v1/reach/internal", json={"people": ["E0093"], "hops": 1, "runs": 10}, headers=EVIL)
    assert answer.status_code == 403
    assert (
        analyst.post("/api/v1/reach/internal", json={"people": ["E0093"], "hops": 1, "runs": 10}, headers=origin(analyst)).status_code
        == 200
    )
    # A page's form too: the refusal is an HTML page, and the session goes on.
    page = analyst.post("/logout", data={"csrf_token": form_token(analyst.get("/").text)}, headers=EVIL)
    assert page.status_code == 403 and page.headers["content-type"].startswith("text/html") and "cross-origin" in page.text
    assert analyst.get("/").status_code == 200


# --- CSRF tokens on login and logout ------------------------------------------------------------------------------


def _post_login(browser: TestClient, key: str, token: str | None):
    data = {"key": key, "next": "/"} | ({} if token is None else {"csrf_token": token})
    return browser.post("/login", data=data)


def test_login_needs_the_forms_csrf_token(client, role_keys):  # noqa: F811
    key = role_keys["analyst"]
    browser = _browser(client.app)
    form = browser.get("/login")
    assert form.status_code == 200 and CSRF_COOKIE in form.cookies
    cookie = form.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    token = form_token(form.text)
    settings = client.app.state.settings
    forged = URLSafeTimedSerializer("another-secret", salt="orgnet-csrf").dumps(form.cookies[CSRF_COOKIE])
    expired = URLSafeTimedSerializer(settings.session_secret.get_secret_value(), salt="orgnet-csrf", signer=_SignerOfLongAgo).dumps(
        form.cookies[CSRF_COOKIE]
    )
    for bad in (None, "", "not-a-token", forged, expired, token[:-2] + ("AA" if not token.endswith("AA") else "BB")):
        refused = _post_login(browser, key, bad)
        assert refused.status_code == 403 and "did not come from this site" in refused.text
        assert "orgnet_session" not in refused.cookies
    # Another browser's token does not fit this browser's cookie, nor does a token without its cookie.
    other = _browser(client.app)
    assert _post_login(other, key, token).status_code == 403
    browser.cookies.delete(CSRF_COOKIE)
    assert _post_login(browser, key, token).status_code == 403
    # The form given again carries a fresh pair, and with it the key is checked as before.
    token = form_token(browser.get("/login").text)
    assert _post_login(browser, "orgnet_wrong", token).status_code == 401
    accepted = _post_login(browser, key, token)
    assert accepted.status_code == 303 and "orgnet_session" in accepted.cookies


class _SignerOfLongAgo(TimestampSigner):
    """Signs as if it were a day and a half ago: longer than a session lasts (8 hours)."""

    def get_timestamp(self) -> int:
        return super().get_timestamp() - 36 * 3600


def test_logout_is_a_post_from_the_sites_own_form(client, role_keys):  # noqa: F811
    browser = _browser(client.app, role_keys["viewer"])
    page = browser.get("/")
    assert 'action="/logout"' in page.text and 'method="post"' in page.text and 'href="/logout"' not in page.text
    # A link (GET) no longer logs anyone out.
    link = browser.get("/logout")
    assert link.status_code == 405 and link.headers["allow"] == "POST, OPTIONS"
    assert browser.get("/").status_code == 200
    # Nor does a POST without the form's token, even from this site.
    assert browser.post("/logout", headers=origin(browser)).status_code == 403
    assert browser.post("/logout", data={"csrf_token": "forged"}, headers=origin(browser)).status_code == 403
    assert browser.get("/").status_code == 200
    out = log_out(browser)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert 'orgnet_session=""' in out.headers["set-cookie"] and "max-age=0" in out.headers["set-cookie"].lower()
    assert browser.get("/").headers["location"] == "/login?next=/"


# --- Security headers on every kind of answer ---------------------------------------------------------------------


def _assert_secured(answer, policy: str = PAGE_POLICY) -> None:
    headers = answer.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert "server" not in headers
    csp = dict(directive.strip().split(" ", 1) for directive in headers["content-security-policy"].split(";"))
    assert headers["content-security-policy"] == policy
    assert csp["frame-ancestors"] == "'none'" and csp["default-src"] == "'none'" and csp["base-uri"] == "'none'"
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]


@pytest.mark.parametrize(
    "method,path,session,status,kind",
    [
        ("GET", "/api/v1/health", None, 200, "application/json"),
        ("GET", "/api/v1/summary", None, 401, "application/json"),
        ("GET", "/api/v1/summary", "viewer", 200, "application/json"),
        ("GET", "/api/v1/people", "viewer", 403, "application/json"),
        ("GET", "/api/v1/nothing-here", None, 404, "application/json"),
        ("GET", "/api/v1/summary?period=yesterday", "viewer", 422, "application/json"),
        ("PUT", "/api/v1/keys", None, 405, "application/json"),
        ("POST", "/api/v1/keys", "admin", 403, "application/json"),  # cookie, no Origin
        ("OPTIONS", "/api/v1/keys", None, 204, None),
        ("GET", "/openapi.json", None, 200, "application/json"),
        ("GET", "/login", None, 200, "text/html"),
        ("GET", "/", "analyst", 200, "text/html"),
        ("GET", "/silos", None, 303, None),
        ("GET", "/advocates", "viewer", 403, "text/html"),
        ("GET", "/silos?period=2026-01", "analyst", 404, "text/html"),
        ("GET", "/nothing-here", None, 404, "text/html"),
        ("GET", "/logout", None, 405, "text/html"),
        ("GET", "/network/figure", "viewer", 200, "application/json"),
        ("GET", "/static/pages.js", None, 200, "text/javascript"),
        ("GET", "/static/network.js", None, 200, "text/javascript"),
        ("GET", "/static/orgnet.css", None, 200, "text/css"),
        ("GET", "/static/plotly.min.js", None, 200, "text/javascript"),
        ("GET", "/static/nothing.js", None, 404, "text/html"),
        ("GET", "/favicon.ico", None, 204, None),
    ],
)
def test_every_kind_of_answer_carries_the_security_headers(client, role_keys, method, path, session, status, kind):  # noqa: F811
    browser = _browser(client.app, role_keys[session] if session else None)
    answer = browser.request(method, path)
    assert answer.status_code == status
    assert kind is None or answer.headers["content-type"].startswith(kind)  # nosniff needs the right type
    _assert_secured(answer)


def test_an_unexpected_error_carries_them_too_and_no_traceback(samples_store):  # noqa: F811
    app = make_app(samples_store)

    def broken() -> None:
        raise RuntimeError("a bug with a secret inside")

    app.add_api_route("/api/v1/broken", broken)
    app.add_api_route("/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        for path, kind in (("/api/v1/broken", "application/json"), ("/broken", "text/html")):
            answer = test_client.get(path)
            assert answer.status_code == 500 and answer.headers["content-type"].startswith(kind)
            assert "secret" not in answer.text and "Traceback" not in answer.text
            _assert_secured(answer)


def test_the_api_docs_page_loads_swagger_ui_from_orgnet_itself(client):
    docs = client.get("/docs")
    assert docs.status_code == 200
    # The pages' own policy: nothing from another site, no inline script.
    _assert_secured(docs, PAGE_POLICY)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", docs.text, re.S)
    assert scripts and all('src="/static/' in attributes and not body.strip() for attributes, body in scripts)
    sources = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert "/static/swagger-ui-bundle.js" in sources and "/static/swagger-ui.css" in sources
    assert not [s for s in sources if "//" in s]
    for source in ("/static/swagger-ui-bundle.js", "/static/swagger-ui.css"):
        served = client.get(source)
        assert served.status_code == 200 and len(served.content) > 100_000
        assert served.headers["cache-control"] == "public, max-age=86400"
    assert client.get("/redoc").status_code == 404 and client.get("/docs/oauth2-redirect").status_code == 404


def test_a_report_runs_exactly_its_own_inline_scripts(analysed, tmp_path):
    from orgnet.access import create_key
    from orgnet.api.reports import write_report

    record = write_report(analysed, "2026-09", "2026-10", tmp_path / "report")
    key = create_key(analysed, "analyst")[1]
    with TestClient(make_app(Path(analysed.location))) as test_client:
        served = test_client.get(f"/api/v1/reports/{record['id']}", headers={"X-API-Key": key})
    assert served.status_code == 200
    policy = served.headers["content-security-policy"]
    csp = dict(directive.strip().split(" ", 1) for directive in policy.split(";"))
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", served.text, re.S)
    assert len(inline) >= 2  # plotly.js itself and one script per figure
    import base64
    import hashlib

    expected = {f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'" for body in inline}
    assert set(csp["script-src"].split()) == expected  # nothing else: no 'self', no 'unsafe-inline'
    assert csp["frame-ancestors"] == "'none'" and "'unsafe-inline'" not in csp["style-src"]


def test_no_template_holds_inline_script_or_style():
    for template in sorted(TEMPLATES.glob("*.html")):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), f"{template.name} has an inline script"
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", text), f"{template.name} has an inline style or event handler"


# --- OPTIONS and Allow --------------------------------------------------------------------------------------------


def test_options_lists_the_methods_of_every_route_of_the_path(client):
    """For every path of the OpenAPI schema, OPTIONS answers exactly the methods the schema documents for it."""
    paths = client.app.openapi()["paths"]
    assert len(paths) > 20
    for path, operations in paths.items():
        concrete = re.sub(r"\{[^}]+\}", "x1", path)
        answer = client.options(concrete, headers=EVIL | {"Access-Control-Request-Method": "POST"})
        documented = sorted(method.upper() for method in operations)
        assert answer.status_code == 204, path
        assert answer.headers["allow"].split(", ") == [m for m in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE") if m in documented] + [
            "OPTIONS"
        ], path
        # An answer, not a grant: no CORS header lets another site read or send anything.
        assert not any(name.startswith("access-control-") for name in answer.headers), path


@pytest.mark.parametrize(
    "path,allow",
    [
        ("/api/v1/keys", "GET, POST, OPTIONS"),
        ("/api/v1/keys/k_123", "DELETE, OPTIONS"),
        ("/api/v1/reach/internal", "GET, POST, OPTIONS"),
        ("/", "GET, OPTIONS"),
        ("/login", "GET, POST, OPTIONS"),
        ("/logout", "POST, OPTIONS"),
        ("/static/pages.js", "GET, OPTIONS"),
        ("/openapi.json", "GET, HEAD, OPTIONS"),
    ],
)
def test_options_and_405_carry_the_same_allow(client, path, allow):
    assert client.options(path).headers["allow"] == allow
    absent = next(m for m in ("PATCH", "PUT") if m not in allow)
    refused = client.request(absent, path)
    assert refused.status_code == 405 and refused.headers["allow"] == allow


def test_options_of_an_unknown_path_is_a_404(client):
    assert client.options("/api/v1/nothing-here").status_code == 404
    assert client.options("/nothing-here").status_code == 404


# --- Repeated query parameters ------------------------------------------------------------------------------------


def test_a_repeated_single_query_parameter_is_refused_by_every_endpoint(client, role_keys):  # noqa: F811
    """Every query parameter of every endpoint of the schema that takes one value, sent twice: 422 naming it."""
    admin = {"X-API-Key": role_keys["admin"]}
    checked = 0
    for path, operations in client.app.openapi()["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "x1", path)
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query" or parameter["schema"].get("type") == "array":
                    continue
                name = parameter["name"]
                answer = client.request(method, f"{concrete}?{name}=1&{name}=2", headers=admin, json={})
                assert answer.status_code == 422, (method, path, name)
                problems = answer.json()["detail"]
                assert {
                    "loc": ["query", name],
                    "msg": "given more than once; this parameter takes one value",
                    "type": "repeated",
                } in problems
                checked += 1
    assert checked >= 30


def test_repeating_a_valid_period_is_refused_where_each_alone_is_answered(client, role_keys):  # noqa: F811
    viewer = {"X-API-Key": role_keys["viewer"]}
    assert client.get("/api/v1/summary?period=2026-09", headers=viewer).status_code == 200
    assert client.get("/api/v1/summary?period=2026-10", headers=viewer).status_code == 200
    both = client.get("/api/v1/summary?period=2026-09&period=2026-10", headers=viewer)
    assert both.status_code == 422 and both.json()["detail"][0]["loc"] == ["query", "period"]
    # A parameter that takes a list still repeats (five people: comms may not ask for fewer than the minimum group size).
    people = ["E0035", "E0093", "E0111", "E0167", "E0229"]
    query = "&".join(f"people={person}" for person in people)
    reach = client.get(f"/api/v1/reach/internal?{query}&hops=1&runs=10", headers={"X-API-Key": role_keys["comms"]})
    assert reach.status_code == 200 and reach.json()["people"] == people


@pytest.mark.parametrize("query,name", [("/?period=2026-09&period=2026-10", "period"), ("/advocates?top=10&top=25", "top")])
def test_pages_refuse_repeated_parameters_with_a_page_naming_them(client, role_keys, query, name):  # noqa: F811
    analyst = _browser(client.app, role_keys["analyst"])
    answer = analyst.get(query)
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("text/html")
    assert f"query.{name}: given more than once" in answer.text
    # The Network page's figure answers JSON, for its script to say.
    figure = analyst.get("/network/figure?level=group&level=community")
    assert figure.status_code == 422 and figure.json()["detail"][0]["loc"] == ["query", "level"]


# --- Unknown query parameters -------------------------------------------------------------------------------------


def test_an_unknown_query_parameter_is_refused_by_every_endpoint_listing_those_it_takes(client, role_keys):  # noqa: F811
    """Every endpoint of the schema, sent a parameter it does not take: 422 naming it and every parameter it does."""
    admin = {"X-API-Key": role_keys["admin"]}
    checked = 0
    for path, operations in client.app.openapi()["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "x1", path)
        for method, operation in operations.items():
            takes = sorted(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")
            answer = client.request(method, f"{concrete}?perod=2026-09", headers=admin, json={})
            assert answer.status_code == 422, (method, path)
            assert {
                "loc": ["query", "perod"],
                "msg": f"unknown parameter; this route takes: {', '.join(takes) if takes else 'none'}",
                "type": "unknown",
            } in answer.json()["detail"], (method, path)
            checked += 1
    assert checked >= 25


def test_pages_name_an_unknown_parameter_too(client, role_keys):  # noqa: F811
    analyst = _browser(client.app, role_keys["analyst"])
    answer = analyst.get("/silos?perod=2026-09")
    assert answer.status_code == 422 and "query.perod: unknown parameter; this route takes: by, period" in answer.text
    assert analyst.get("/silos?period=2026-09").status_code == 200
