"""The board in a real Chromium: dragging someone else's card is refused with a sentence."""

import pytest

from opportunities.models import Opportunity, Stage
from tests.browser.test_board import _card, _column, _drag, firm  # noqa: F401 (a fixture)
from tests.browser.test_csp import violations  # noqa: F401 (a fixture)


@pytest.mark.django_db(transaction=True)
def test_dragging_a_card_you_are_not_on_says_who_may_and_the_card_goes_back(
    page,
    login,
    screenshot,
    firm,  # noqa: F811
    violations,  # noqa: F811
):
    _, bob, cards = firm
    login(page, bob)
    page.goto("/")

    _drag(page, _card(page, "Pension review"), _column(page, "connecting"))

    alert = page.get_by_role("alert").filter(
        has_text="Only Alice Owner, the card's owner, its colleagues or a manager can move"
    )
    alert.wait_for()
    screenshot(page, "board-not-yours")
    assert _column(page, "research").locator("article", has_text="Pension review").count() == 1
    assert _column(page, "connecting").locator("article", has_text="Pension review").count() == 0
    card = Opportunity.objects.get(pk=cards["research"].pk)
    assert (card.stage, card.version) == (Stage.RESEARCH, 1)
    assert violations == [], "the refused drag's board swap broke the CSP"
