"""Real headless Chromium (Debian's package) driven by Playwright against the live test server.

The tests are skipped, with the reason, where /usr/bin/chromium is missing: scripts/ensure-chromium.sh
installs it. Screenshots go to var/test/screenshots/, or to the folder in BIZFLOW_SCREENSHOTS (the
README's images are taken with ``BIZFLOW_SCREENSHOTS=docs``).
"""

import os
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread


# The suite's SQLite database lives in memory, and the live server shares the test's one connection
# with it. Django's threaded server would answer a page's parallel htmx requests on that connection
# from several threads at once, which SQLite refuses at random ("bad parameter or other API misuse",
# sessions lost). One request at a time keeps the connection to one thread; Django then answers with
# "Connection: close", so the browser never waits on a kept-alive connection.
class SerialWSGIServer(WSGIServer):
    """Django's server answering one request at a time, in the live server's thread (whose connections
    the thread has already set to the test's)."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = SerialWSGIServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (run scripts/ensure-chromium.sh)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a thread
    # with a running loop unless told that this is safe (it is: the loop only drives the browser).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, transactional_db):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    folder = Path(os.environ.get("BIZFLOW_SCREENSHOTS") or ROOT / "var" / "test" / "screenshots")
    folder = folder if folder.is_absolute() else ROOT / folder
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# The local Dynatrace tenant that the asset push talks to.
from tests.assets.conftest import dt  # noqa: E402, F401
