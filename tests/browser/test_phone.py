"""Convivio on a phone (390 x 844, touch): My week one line an item, a call logged in three
taps plus the note, the board's stage tabs and folded filters, Sign out without JavaScript.

Screenshots go to test-artifacts/phone-*.png for a person to look at."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cultivation.models import Outcome
from opportunities.models import Stage
from tests import factories
from tests.browser.conftest import ARTIFACTS

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
ONE_LINE = 52  # px: a list item holding one row of small buttons; two rows would be 80+


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def no_script_phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def week(transactional_db):
    """Alice's week: a touch-base call, a follow-up and a promise, each with a long name."""
    alice = factories.UserFactory(username="alice", first_name="Alice")
    today = timezone.localdate()
    dev = factories.ContactFactory(owner=alice, name="Devendra Patel-Richardson")
    plan = factories.TouchPlanFactory(contact=dev)
    call = factories.PlanItemFactory(plan=plan, method="call", next_due_on=today)
    factories.TouchFactory(contact=dev, method="email")
    priya = factories.ContactFactory(owner=alice, name="Priya Shah")
    factories.FollowUpFactory(contact=priya, owner=alice, met_at=timezone.now() - timedelta(days=8))
    factories.PromiseFactory(
        contact=priya, owner=alice, what="Send the pension report", due_on=today
    )
    return alice, dev, call


def _shot(page, name, *, full_page=False):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=full_page)


def _heights(page, selector):
    return [box["height"] for box in page.locator(selector).evaluate_all(BOXES)]


BOXES = "els => els.map(el => el.getBoundingClientRect().toJSON())"


@pytest.mark.django_db(transaction=True)
def test_my_week_shows_one_line_per_item_at_phone_width(phone, login, week):
    login(phone, week[0])
    phone.goto("/my-week/")
    _shot(phone, "my-week", full_page=True)
    assert phone.locator("li.cv-due").count() == 3
    assert all(height <= ONE_LINE for height in _heights(phone, "li.cv-due"))
    row = phone.locator('li[data-kind="touch"]')
    parts = [row.locator(".cv-due-what"), row.locator(".cv-due-when"), row.locator(".cv-due-go")]
    middles = [part.bounding_box()["y"] + part.bounding_box()["height"] / 2 for part in parts]
    assert max(middles) - min(middles) < 4
    assert not row.get_by_role("button", name="Log call").is_visible()

    row.get_by_label("More for Devendra Patel-Richardson").tap()
    assert row.get_by_role("button", name="Snooze").is_visible()
    _shot(phone, "my-week-more", full_page=True)

    phone.locator('li[data-kind="follow_up"]').get_by_role("link", name="Log").tap()
    phone.wait_for_url("**/touches/log/**")
    assert phone.get_by_text("Follow-up: Attempt 1 of 3, none made yet").is_visible()
    assert phone.get_by_label("How", exact=True).input_value() == ""
    _shot(phone, "quick-log-follow-up", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_logging_a_call_from_a_phone_takes_three_taps_and_the_note(phone, login, week):
    alice, dev, call = week
    login(phone, alice)
    phone.goto("/my-week/")
    taps = 0

    phone.locator('li[data-kind="touch"]').get_by_role("link", name="Log").tap()
    taps += 1
    phone.wait_for_url("**/touches/log/**")
    assert phone.get_by_label("How", exact=True).input_value() == "call"
    requalify = phone.get_by_role("group", name="Still worth cultivating?")
    assert not requalify.is_visible()  # until the call reached them
    phone.get_by_text("Reached, no need").tap()
    taps += 1
    assert requalify.is_visible()
    assert requalify.get_by_label("Yes").is_checked()  # no tap needed for "yes"
    phone.get_by_label("Note").fill("Busy quarter; call again in spring.")
    _shot(phone, "quick-log", full_page=True)
    phone.get_by_role("button", name="Save").tap()
    taps += 1

    phone.wait_for_url("**/my-week/")
    assert taps == 3
    assert (
        phone.get_by_role("alert")
        .inner_text()
        .startswith("Logged: Phone call with Devendra Patel-Richardson")
    )
    assert phone.locator('li[data-kind="touch"]').count() == 0
    touch = dev.touches.get(method="call")
    assert (touch.outcome, touch.note, touch.still_qualifies) == (
        Outcome.NO_NEED,
        "Busy quarter; call again in spring.",
        True,
    )
    call.refresh_from_db()
    assert call.next_due_on > timezone.localdate()
    _shot(phone, "my-week-logged", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_call_without_an_outcome_is_refused_on_the_quick_form(phone, login, week):
    alice, dev, _ = week
    login(phone, alice)
    phone.goto(f"/touches/log/?contact={dev.pk}&method=call&next=/my-week/")
    phone.get_by_role("button", name="Save").tap()
    assert phone.get_by_role("alert").inner_text() == "Say how the call went: choose its outcome."
    assert not dev.touches.filter(method="call").exists()
    phone.get_by_label("How", exact=True).select_option("Handwritten note")
    assert not phone.get_by_role("group", name="How the call went").is_visible()


@pytest.mark.django_db(transaction=True)
def test_a_call_that_finds_someone_no_longer_qualifies_takes_one_more_tap(phone, login, week):
    alice, dev, call = week
    login(phone, alice)
    phone.goto(f"/touches/log/?contact={dev.pk}&method=call&next=/my-week/")
    requalify = phone.get_by_role("group", name="Still worth cultivating?")

    phone.get_by_text("Not reached").tap()
    assert not requalify.is_visible()
    phone.get_by_text("Reached, need found").tap()
    requalify.get_by_text("No longer qualifies").tap()
    assert requalify.get_by_label("No longer qualifies").is_checked()
    _shot(phone, "quick-log-requalify", full_page=True)
    phone.get_by_role("button", name="Save").tap()

    alert = phone.get_by_role("alert")
    assert alert.inner_text().startswith("Logged: Phone call with Devendra Patel-Richardson")
    touch = dev.touches.get(method="call")
    assert (touch.outcome, touch.still_qualifies) == (Outcome.NEED_FOUND, False)
    call.plan.refresh_from_db()
    assert (call.plan.is_live, call.plan.end_reason) == (False, "No longer qualifies.")


@pytest.fixture
def board(transactional_db):
    alice = factories.UserFactory(username="alice", first_name="Alice")
    for stage in (Stage.RESEARCH, Stage.CONNECTING, Stage.CULTIVATING, Stage.WON):
        for number in range(12):
            factories.OpportunityFactory(
                owner=alice, title=f"{stage.label} card {number + 1}", stage=stage
            )
    return alice


def _in_view(page, locator):
    box = locator.bounding_box()
    return box["x"] >= -1 and box["x"] + box["width"] <= PHONE["width"] + 1


@pytest.mark.django_db(transaction=True)
def test_the_board_at_phone_width_has_stage_tabs_and_folded_filters(phone, login, board):
    login(phone, board)
    phone.goto("/")
    _shot(phone, "board")
    research = phone.locator("#column-research")
    assert _in_view(phone, research)
    assert research.bounding_box()["y"] < 160
    assert not phone.get_by_role("searchbox", name="Search").is_visible()

    phone.get_by_role("navigation", name="Stages").get_by_role("link", name="Won").tap()
    won = phone.locator("#column-won")
    phone.wait_for_function(
        "() => Math.abs(document.querySelector('#column-won').getBoundingClientRect().x) < 20"
    )
    assert _in_view(phone, won) and not _in_view(phone, research)
    tab = phone.get_by_role("navigation", name="Stages").get_by_role("link", name="Won")
    assert tab.get_attribute("aria-current") == "true"

    won.evaluate("column => column.scrollBy(0, 600)")
    phone.wait_for_function(  # the title sticks once the scroll has settled (slow when busy)
        "() => document.querySelector('#column-won').scrollTop > 0 && Math.abs("
        "document.querySelector('#head-won').getBoundingClientRect().y"
        " - document.querySelector('#column-won').getBoundingClientRect().y) <= 10"
    )
    head = phone.locator("#head-won").bounding_box()
    assert won.bounding_box()["y"] - 1 <= head["y"] <= won.bounding_box()["y"] + 10
    assert phone.locator("#title-won").is_visible()
    _shot(phone, "board-won")

    phone.get_by_text("Filters").tap()
    assert phone.get_by_role("searchbox", name="Search").is_visible()
    _shot(phone, "board-filters")

    phone.get_by_text("+ New card").tap()
    assert phone.get_by_label("Title").is_visible()
    _shot(phone, "board-new-card")


@pytest.mark.django_db(transaction=True)
def test_stage_tabs_and_filters_work_without_javascript(no_script_phone, login, board):
    page = no_script_phone
    login(page, board)
    page.goto("/")
    page.get_by_role("navigation", name="Stages").get_by_role("link", name="Cultivating").click()
    assert page.url.endswith("#column-cultivating")
    assert _in_view(page, page.locator("#column-cultivating"))
    search = page.get_by_role("searchbox", name="Search")
    assert not search.is_visible()
    page.get_by_text("Filters").click()
    assert search.is_visible()
    _shot(page, "board-no-js")


@pytest.mark.django_db(transaction=True)
def test_sign_out_at_phone_width_works_without_javascript(no_script_phone, login, week):
    page = no_script_phone
    login(page, week[0])
    page.goto("/my-week/")
    sign_out = page.get_by_role("button", name="Sign out")
    assert not sign_out.is_visible()
    page.get_by_title("Menu").click()
    assert sign_out.is_visible()
    _shot(page, "menu-no-js")
    sign_out.click()
    page.goto("/my-week/")
    assert "/accounts/login/" in page.url


@pytest.mark.django_db(transaction=True)
def test_at_desktop_width_my_week_and_the_board_keep_their_layout(page, login, week):
    page.set_viewport_size(DESKTOP)
    for stage in (Stage.RESEARCH, Stage.CONNECTING, Stage.WON):
        factories.OpportunityFactory(owner=week[0], title=f"{stage.label} card", stage=stage)
    login(page, week[0])
    page.goto("/my-week/")
    row = page.locator('li[data-kind="touch"]')
    assert row.get_by_role("button", name="Log call").is_visible()
    assert not row.get_by_role("link", name="Log", exact=True).is_visible()
    _shot(page, "desktop-my-week", full_page=True)
    page.goto("/")
    assert page.get_by_role("searchbox", name="Search").is_visible()
    assert not page.get_by_role("navigation", name="Stages").is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert not page.get_by_text("Filters", exact=True).is_visible()
    heads = [page.locator(f"#title-{stage}").bounding_box()["y"] for stage in ("research", "won")]
    assert heads[0] == heads[1]
    _shot(page, "desktop-board")
