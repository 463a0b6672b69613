"""Security headers on every page: CSP, Permissions-Policy, nosniff, frame, referrer, HSTS.

The policy is strict (no inline script or style, no eval), so the pages must
carry none: the last tests read the HTML of each page for anything it would block.
"""

import re

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client

from convivio.middleware import permissions_policy_header
from tests import factories

HTTPS = {"X-Forwarded-Proto": "https"}
DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")


@pytest.fixture
def production(settings):
    """The settings convivio/settings.py switches on when DEBUG is off."""
    settings.DEBUG = False
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 60 * 60 * 24 * 30
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    return settings


@pytest.fixture
def card(owner):
    return factories.OpportunityFactory(owner=owner, title="Pension review")


def _pages(client, owner, card):
    """(name, response) for the sign-in pages signed out, then the app's pages signed in."""
    yield "sign-in page", client.get("/accounts/login/", headers=HTTPS)
    yield "admin sign-in page", client.get("/admin/login/", headers=HTTPS)
    client.force_login(owner)
    for path in ("/", f"/cards/{card.pk}/", "/my-week/", "/contacts/"):
        yield path, client.get(path, headers=HTTPS)


def _directives(response):
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def _assert_strict_csp(name, response):
    assert response.status_code == 200, name
    directives = _directives(response)
    assert directives["default-src"] == ["'self'"], name
    assert directives["object-src"] == ["'none'"], name
    assert directives["base-uri"] == ["'self'"], name
    assert directives["form-action"] == ["'self'"], name
    assert directives["frame-ancestors"] == ["'none'"], name
    policy = response.headers["Content-Security-Policy"]
    for loophole in ("unsafe-inline", "unsafe-eval", "data:", "*"):
        assert loophole not in policy, f"{name}: {loophole} in {policy}"


def test_every_page_has_a_strict_content_security_policy(client, owner, card):
    for name, response in _pages(client, owner, card):
        _assert_strict_csp(name, response)


def test_the_policy_holds_in_production_too(client, owner, card, production):
    for name, response in _pages(client, owner, card):
        _assert_strict_csp(name, response)


def test_every_page_denies_camera_microphone_location_payment_and_usb(client, owner, card):
    for name, response in _pages(client, owner, card):
        features = dict(
            part.split("=", 1) for part in response.headers["Permissions-Policy"].split(", ")
        )
        for feature in DENIED_FEATURES:
            assert features[feature] == "()", f"{name}: {feature}"


def test_every_page_forbids_sniffing_framing_and_cross_site_referrers(client, owner, card):
    for name, response in _pages(client, owner, card):
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["X-Frame-Options"] == "DENY", name
        assert response.headers["Referrer-Policy"] == "same-origin", name


def test_production_sends_hsts_over_https_behind_the_proxy(client, owner, card, production):
    for name, response in _pages(client, owner, card):
        assert response.headers["Strict-Transport-Security"] == (
            "max-age=2592000; includeSubDomains"
        ), name


def test_production_redirects_plain_http_to_https(client, production):
    response = client.get("/accounts/login/")

    assert response.status_code == 301
    assert response.headers["Location"] == "https://testserver/accounts/login/"


def test_development_sends_no_hsts(client, owner, card):
    for name, response in _pages(client, owner, card):
        assert "Strict-Transport-Security" not in response.headers, name


def test_a_response_that_sets_its_own_permissions_policy_keeps_it(rf, settings):
    from django.http import HttpResponse

    from convivio.middleware import PermissionsPolicyMiddleware

    def view(request):
        response = HttpResponse()
        response.headers["Permissions-Policy"] = "fullscreen=(self)"
        return response

    response = PermissionsPolicyMiddleware(view)(rf.get("/"))

    assert response.headers["Permissions-Policy"] == "fullscreen=(self)"


def test_the_permissions_policy_header_is_written_as_browsers_read_it():
    header = permissions_policy_header({"camera": [], "fullscreen": ["self"]})

    assert header == "camera=(), fullscreen=(self)"


INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "<style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "on* handler": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "hx-on": re.compile(r"\s(data-)?hx-on", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "data: URL": re.compile(r"""=["']data:""", re.IGNORECASE),
}


def test_no_page_carries_what_the_policy_would_block(client, owner, card):
    factories.OpportunityContactFactory(opportunity=card, contact__owner=owner)
    for name, response in _pages(client, owner, card):
        html = response.content.decode()
        for what, pattern in INLINE.items():
            match = pattern.search(html)
            assert match is None, f"{name} has an {what}: {html[match.start() : match.end() + 60]}"


def test_the_inline_check_catches_each_kind_of_inline_code():
    samples = {
        "inline <script>": '<script>alert(1)</script><script src="/x.js"></script>',
        "style attribute": '<div style="color:red">',
        "<style> element": "<style>p{}</style>",
        "on* handler": '<a onclick="go()">',
        "hx-on": '<button hx-on:click="go()">',
        "javascript: URL": '<a href="javascript:go()">',
        "data: URL": '<link rel="icon" href="data:,">',
    }
    for what, html in samples.items():
        assert INLINE[what].search(html), what
    assert not INLINE["inline <script>"].search('<script src="/x.js"></script>')


def test_a_form_sent_without_its_security_token_gets_a_page_the_policy_allows(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post("/cards/new/", {"title": "No token"})

    assert response.status_code == 403
    html = response.content.decode()
    assert "nothing was changed" in html
    for what, pattern in INLINE.items():
        assert pattern.search(html) is None, what


def test_every_icon_the_stylesheet_names_is_an_absolute_static_path_that_exists():
    """Bootstrap reads them through CSS variables, which browsers resolve against
    Bootstrap's stylesheet, not ours: a relative URL would 404."""
    css = (settings.BASE_DIR / "static/css/convivio.css").read_text()
    urls = re.findall(r'url\("([^"]+)"\)', css)

    assert len(urls) >= 10
    for url in urls:
        assert url.startswith("/static/"), url
        assert (settings.BASE_DIR / "static" / url.removeprefix("/static/")).is_file(), url


@pytest.mark.parametrize("status, path", [(404, "/no-such-page/"), (404, "/cards/999999/")])
def test_production_error_pages_are_ours_and_carry_no_inline_code(
    client, owner, production, status, path
):
    client.force_login(owner)

    response = client.get(path, headers=HTTPS)

    assert response.status_code == status
    html = response.content.decode()
    assert "Back to the board" in html
    for what, pattern in INLINE.items():
        assert pattern.search(html) is None, what


def test_the_500_page_stands_alone_and_carries_no_inline_code():
    html = render_to_string("500.html")

    assert "Something went wrong on our side" in html
    for what, pattern in INLINE.items():
        assert pattern.search(html) is None, what


def test_browsers_asking_for_favicon_ico_get_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response.url.endswith(".svg")
