"""A real Chromium (Debian's package) driven by Playwright against the live server.

Locally the browser tests skip when /usr/bin/chromium is absent; in CI (CI=true)
a missing browser is a failure, never a skip.
"""

import os
import re
from pathlib import Path

import pytest

from tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
SIGN_IN = "/accounts/login/"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls
# from the test body are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"Browser tests must run in CI: {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(live_server):
    """Sign `user` in by posting the real sign-in form as the browser would (its CSRF token,
    the session cookie kept in the page's context), then open the page it sends them to.

    The form is not drawn: that costs a page load a test, and the sign-in page itself is
    drawn and watched in the CSP tests (`login_in_browser`)."""

    def sign_in(page, user, password=PASSWORD):
        url = f"{live_server.url}{SIGN_IN}"
        token = CSRF_FIELD.search(page.request.get(url).text()).group(1)
        fields = {"csrfmiddlewaretoken": token, "username": user.username, "password": password}
        response = page.request.post(url, form=fields, max_redirects=0)
        assert response.status == 302, f"{user.username} was not signed in ({response.status})"
        page.goto(response.headers["location"])

    return sign_in


@pytest.fixture
def login_in_browser():
    """Sign `user` in by typing into the sign-in page, drawn in the browser."""

    def sign_in(page, user, password=PASSWORD):
        page.goto(SIGN_IN)
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: SIGN_IN not in url)

    return sign_in


@pytest.fixture
def screenshot():
    """Save a screenshot under test-artifacts/ for a person to look at."""

    def save(page, name):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
