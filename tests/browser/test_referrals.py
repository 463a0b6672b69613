"""The referral ledger in a real browser: follow one up from the ledger, see the totals."""

import pytest
from django.utils import timezone

from cultivation.models import Referral
from cultivation.services import referral_record
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_follow_up_a_referral_from_the_ledger(page, login, owner):
    priya = factories.ContactFactory(name="Priya Shah", owner=owner)
    paul = factories.ContactFactory(name="Paul Partner", owner=owner)
    referral = referral_record(
        direction="received",
        person=priya,
        partner=paul,
        colleague=owner,
        on=timezone.localdate(),
        need="Succession plan",
        by=owner,
    )
    login(page, owner)

    page.goto("/referrals/")
    page.screenshot(path="/tmp/referrals-ledger.png", full_page=True)
    page.select_option(f"#outcome-{referral.pk}", "stay_in_touch")
    page.get_by_role("button", name="Record").click()
    page.wait_for_url("**/referrals/")

    assert page.get_by_role("cell", name="Stay in touch").is_visible()
    assert page.get_by_role("link", name="Paul Partner").first.is_visible()
    referral.refresh_from_db()
    assert referral.outcome == Referral.Outcome.STAY_IN_TOUCH
    page.goto(f"/contacts/{priya.pk}/#referrals")
    page.locator("#referrals").screenshot(path="/tmp/referrals-person.png")
