"""The card page shows the relationship with each of its people: their follow-up, their last
five touches, their open promises with "Log touch" and "Record promise" returning to the card,
where a referral came from, and the stage history beside them; the organisation is editable."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cultivation.models import MAX_ATTEMPTS, FollowUp, Promise
from cultivation.services import promise_keep, touch_log
from opportunities.models import CardChange, CardPromise, Opportunity, Stage
from opportunities.services import opportunity_move
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(owner):
    card = factories.OpportunityFactory(owner=owner, title="Pension review", stage=Stage.RESEARCH)
    factories.OpportunityContactFactory(
        opportunity=card, contact__name="Priya Shah", contact__owner=owner, role="Finance"
    )
    return card


@pytest.fixture
def priya(card):
    return card.contacts.get()


def _page(client, card):
    response = client.get(card.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _person_block(page, person):
    start = page.index(f'id="person-{person.pk}"')
    return page[start : page.index("</li>\n        \n", start)]


def _connecting(card, owner):
    return opportunity_move(
        opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=card.version
    )


def test_each_person_shows_their_follow_up_attempt_methods_and_due_date(
    owner_client, owner, card, priya
):
    _connecting(card, owner)
    touch_log(contact=priya, method="email", by=owner)
    due = FollowUp.objects.live().get(contact=priya).next_due_at

    block = _person_block(_page(owner_client, card), priya)

    expected = (
        f"Attempt 2 of {MAX_ATTEMPTS}, by email so far; due {timezone.localtime(due):%a %-d %b}."
    )
    assert expected in block


def test_a_person_with_no_follow_up_says_so(owner_client, card, priya):
    assert "No follow-up running." in _person_block(_page(owner_client, card), priya)


def test_each_person_shows_their_last_five_touches_newest_first(owner_client, card, priya):
    now = timezone.now()
    methods = ["meeting", "note", "lunch", "item", "referral", "event", "email"]  # newest first
    for days, method in enumerate(methods, start=1):
        factories.TouchFactory(contact=priya, method=method, at=now - timedelta(days=days))

    block = _person_block(_page(owner_client, card), priya)
    touches = block[block.index("last touches") : block.index("Open promises")]

    labels = ["Meeting", "Handwritten note", "Lunch or coffee", "Item of value", "Referral"]
    positions = [touches.index(f"{label} from us") for label in labels]
    assert positions == sorted(positions)
    assert "Event from us" not in touches and "Email from us" not in touches


def test_open_promises_show_and_kept_ones_do_not(owner_client, owner, card, priya):
    factories.PromiseFactory(contact=priya, owner=owner, what="Send the checklist")
    kept = factories.PromiseFactory(contact=priya, owner=owner, what="Call the actuary")
    promise_keep(promise=kept, method="email", by=owner)

    block = _person_block(_page(owner_client, card), priya)

    assert "Send the checklist" in block and "Call the actuary" not in block


def test_record_promise_from_the_card_is_about_the_card_and_returns_to_it(
    owner_client, owner, card, priya
):
    block = _person_block(_page(owner_client, card), priya)
    url = (
        f"/promises/new/?contact={priya.pk}&amp;opportunity={card.pk}"
        f"&amp;next={card.get_absolute_url()}"
    )
    assert f'href="{url}"' in block
    form = owner_client.get(url.replace("&amp;", "&"))
    assert form.status_code == 200

    response = owner_client.post(
        url.replace("&amp;", "&"),
        {
            "contact": priya.pk,
            "owner": owner.pk,
            "what": "Send the succession checklist",
            "due_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "opportunity_id": card.pk,
            "next": card.get_absolute_url(),
        },
    )

    assert response.status_code == 302 and response.url == card.get_absolute_url()
    promise = Promise.objects.get()
    assert CardPromise.objects.get(promise=promise).opportunity == card
    assert "Send the succession checklist" in _person_block(_page(owner_client, card), priya)


def test_log_touch_from_the_card_returns_to_it_and_shows_the_touch(owner_client, card, priya):
    url = f"/touches/new/?contact={priya.pk}&amp;next={card.get_absolute_url()}"
    assert f'href="{url}"' in _person_block(_page(owner_client, card), priya)

    response = owner_client.post(
        url.replace("&amp;", "&"),
        {
            "contact": priya.pk,
            "method": "lunch",
            "direction": "ours",
            "on": timezone.localdate().isoformat(),
            "next": card.get_absolute_url(),
        },
    )

    assert response.status_code == 302 and response.url == card.get_absolute_url()
    assert "Lunch or coffee from us" in _person_block(_page(owner_client, card), priya)


def test_someone_who_asked_us_to_stop_has_no_log_touch_or_promise_links(
    owner_client, owner, card, priya
):
    priya.asked_to_stop_at = timezone.now()
    priya.save(update_fields=["asked_to_stop_at"])

    block = _person_block(_page(owner_client, card), priya)

    assert "asked us to stop" in block
    assert "Log touch" not in block and "Record promise" not in block


@pytest.mark.parametrize(
    ("by_person", "by_colleague", "sentence"),
    [
        (True, True, 'Referred by <a href="{url}">Tom Reed</a> (via Bob Teammate)'),
        (True, False, 'Referred by <a href="{url}">Tom Reed</a></div>'),
        (False, True, "Referred by Bob Teammate, a colleague"),
    ],
)
def test_the_card_shows_where_a_referral_came_from(
    owner_client, teammate, card, priya, by_person, by_colleague, sentence
):
    tom = factories.ContactFactory(name="Tom Reed")
    priya.referred_by = tom if by_person else None
    priya.referred_by_colleague = teammate if by_colleague else None
    priya.save(update_fields=["referred_by", "referred_by_colleague"])

    block = _person_block(_page(owner_client, card), priya)

    assert sentence.format(url=tom.get_absolute_url()) in block


def test_no_referral_says_nothing(owner_client, card, priya):
    assert "Referred by" not in _person_block(_page(owner_client, card), priya)


def test_the_stage_history_is_beside_the_people(owner_client, owner, card):
    _connecting(card, owner)

    page = _page(owner_client, card)

    assert page.index('id="people"') < page.index("Stage history")
    assert "Research → <strong>Connecting</strong>" in page


def test_the_page_query_count_is_the_same_for_one_person_or_many_busy_ones(
    owner_client, owner, card, priya, django_assert_max_num_queries
):
    def count():
        with django_assert_max_num_queries(45) as queries:
            _page(owner_client, card)
        return len(queries.captured_queries)

    card = _connecting(card, owner)
    factories.TouchFactory(contact=priya)
    few = count()
    for _ in range(6):
        person = factories.ContactFactory(owner=owner, referred_by=factories.ContactFactory())
        factories.OpportunityContactFactory(opportunity=card, contact=person, is_primary=False)
        FollowUp.objects.create(contact=person, owner=owner, met_at=timezone.now())
        factories.TouchFactory.create_batch(8, contact=person)
        factories.PromiseFactory.create_batch(3, contact=person, owner=owner)
        factories.ContactFactory().knows.add(person)

    assert count() == few


# The card's organisation, edited on the card's form -------------------------------------


def _edit(client, card, **changes):
    data = {
        "title": card.title,
        "organisation": card.organisation_id or "",
        "owner": card.owner_id,
        "priority": card.priority,
        "estimated_value": "",
        "pain": card.pain,
        "gain": card.gain,
        "version": card.version,
        **changes,
    }
    return client.post(card.get_absolute_url(), data)


def test_the_organisation_is_changed_on_the_card_form_with_a_history_row(owner_client, card):
    harbour = factories.OrganisationFactory(name="Harbour Logistics")
    before = card.organisation.name

    response = _edit(owner_client, card, organisation=harbour.pk)

    assert response.status_code == 302
    assert Opportunity.objects.get(pk=card.pk).organisation == harbour
    change = CardChange.objects.get(opportunity=card, field="organisation")
    assert (change.old, change.new) == (before, "Harbour Logistics")


def test_the_organisation_may_be_cleared(owner_client, card):
    response = _edit(owner_client, card, organisation="")

    assert response.status_code == 302
    assert Opportunity.objects.get(pk=card.pk).organisation is None


def test_the_edit_form_shows_the_organisation_as_a_search_picker(owner_client, card):
    page = _page(owner_client, card)

    assert 'name="organisation_search"' in page and 'role="combobox"' in page
    assert f'value="{card.organisation.name}"' in page


@pytest.mark.parametrize("value", ["abc", "4000000", str(10**25), "1\x00"])
def test_an_organisation_that_is_no_one_is_refused_and_nothing_changes(owner_client, card, value):
    before = card.organisation_id

    response = _edit(owner_client, card, organisation=value)

    assert response.status_code == 400
    assert Opportunity.objects.get(pk=card.pk).organisation_id == before
    assert not CardChange.objects.filter(opportunity=card).exists()


def test_a_teammate_not_on_the_card_may_not_change_its_organisation(teammate_client, card):
    harbour = factories.OrganisationFactory(name="Harbour Logistics")
    before = card.organisation_id

    response = _edit(teammate_client, card, organisation=harbour.pk, owner=card.owner_id)

    assert response.status_code == 403
    assert Opportunity.objects.get(pk=card.pk).organisation_id == before


def test_anonymous_visitors_are_sent_to_sign_in(client, card):
    response = client.get(card.get_absolute_url())

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
