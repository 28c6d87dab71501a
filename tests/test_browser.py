"""A person's path through the server in real headless Chromium (Debian's, driven by
Playwright): home page -> query catalog -> run a query with a parameter -> follow a result to a
resource page; and the SPARQL editor running a query against the endpoint."""

from __future__ import annotations

import shutil

import pytest

from .conftest import serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def server(release):
    with serving(release) as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    yield page
    context.close()


def test_home_to_query_to_resource(server, page):
    page.goto(server + "/")
    assert page.locator("h1").inner_text() == "clusterkg"
    page.click("text=The query catalog")
    page.click("a[href='/queries/03_projects']")
    page.fill("input[name=cluster]", "cluster/lombardy-life-sciences")
    page.click("button[type=submit]")
    assert "cluster=cluster%2Flombardy-life-sciences" in page.url  # shareable link
    rows = page.locator("table tr")
    assert rows.count() == 3  # header + C4Life + SmartLS
    page.click("td a:has-text('SmartLS - Decentralized Clinical Trials')")
    assert page.url.endswith("/doc/project/smartls")
    assert page.locator("h1").inner_text() == "SmartLS - Decentralized Clinical Trials"
    body = page.locator("main").inner_text()
    assert "based on decentralized" in body and "solutions." in body  # quoted source lines
    assert page.errors == [], page.errors  # no script errors, no CSP violations


def test_editor_runs_a_query(server, page):
    page.goto(server + "/editor")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=20_000)
    page.evaluate("""() => {
        const tab = window.document.querySelector('.yasqe .CodeMirror').CodeMirror;
        tab.setValue('SELECT ?label WHERE { ?c a <https://w3id.org/clusterkg/ontology#Cluster> ;'
                     + ' <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }');
    }""")
    page.click(".yasqe_queryButton")
    page.wait_for_selector("text=Lombardy Life Sciences Cluster", timeout=20_000)
    assert not [e for e in page.errors if "Content Security Policy" in e]
