"""The citizens' site in Chromium, served like any web server: axe-core, internal links, no outside request."""

import functools
import http.server
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe

from analytics.publish.approval import publish_year
from analytics.publish.site import build_site


@pytest.fixture
def served_site(engine, tmp_path) -> Iterator[tuple[str, list[Path]]]:
    for year in (2022, 2023, 2024):
        publish_year(engine, year, "admin")
    build_site(engine, tmp_path / "site")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", sorted((tmp_path / "site").rglob("*.html"))
    server.shutdown()
    server.server_close()


def test_every_page_is_accessible_and_every_link_resolves(browser, served_site):
    served_site, site_pages = served_site
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    queue, seen, broken, failures = [urljoin(served_site, "index.html")], set(), [], []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        if not url.endswith(".html"):
            if not _resolves(url):
                broken.append(url)
            continue
        response = page.goto(url)
        if response is None or response.status != 200:
            broken.append(url)
            continue
        expected = "en" if urlparse(url).path.startswith("/en/") else "ja"
        assert page.evaluate("document.documentElement.lang") == expected
        violations = Axe().run(page).response["violations"]
        failures += [(url, v["id"]) for v in violations if v["impact"] in ("serious", "critical")]
        for link in page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)"):
            target = link.split("#")[0]
            if urlparse(target).netloc == urlparse(served_site).netloc:
                queue.append(target)
    assert broken == []
    assert failures == []
    assert [url for url in requests if urlparse(url).hostname != "127.0.0.1"] == []
    assert len([url for url in seen if url.endswith(".html")]) == len(list(site_pages))


def _resolves(url: str) -> bool:
    # Data files download in a browser, so they are fetched directly.
    try:
        with urllib.request.urlopen(url) as response:
            return response.status == 200
    except OSError:
        return False
