"""Merging two records of one person: every row moves, clashes are settled by stated rules."""

from datetime import timedelta

import pytest
from django.utils import timezone

from convivio.errors import PermissionRefused, RuleViolation
from cultivation.models import Acquaintance, Contact, ContactEvent, FollowUp, TouchPlan
from cultivation.services import contact_erase, contact_merge, touch_log
from cultivation.services.merge import merge_preview, person_relations, relations
from tests import factories

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action


@pytest.fixture
def survivor(owner):
    return factories.ContactFactory(
        name="Sam O'Neill", owner=owner, phone="", has_opted_in=False, needs="Office move"
    )


@pytest.fixture
def duplicate(owner, survivor):
    return factories.ContactFactory(
        name="Sam ONeill",
        owner=owner,
        organisation=survivor.organisation,
        phone="+44 20 7946 0001",
        has_opted_in=False,
        how_we_know_them="Met at the harbour dinner",
        what_makes_them_tick="",
        needs="office move\nA new accountant",
    )


def _rows_pointing_at(person):
    """For every column in the project that points at a person: its rows about `person`."""
    return {
        (model._meta.label, field.name): model._base_manager.filter(**{field.name: person}).count()
        for model, field in person_relations()
    }


def _table_sizes():
    return {model._meta.label: model._base_manager.count() for model, _ in person_relations()}


def _everything_about(person, owner, card):
    """One row of each kind that can point at a person, none of them clashing."""
    other = factories.ContactFactory(owner=owner)
    factories.TouchFactory(contact=person)
    factories.TouchFactory(contact=other, method="introduction", introduced_to=person)
    factories.PromiseFactory(contact=person, owner=owner)
    factories.FollowUpFactory(contact=person, status=FollowUp.Status.ANSWERED)
    factories.TouchPlanFactory(contact=person)
    ContactEvent.objects.create(contact=person, action=Action.UPDATED, by=owner)
    factories.ContactFactory(referred_by=person, owner=owner)
    person.knows.add(other, through_defaults={"how": "friend"})
    factories.OpportunityContactFactory(opportunity=card, contact=person)
    card.connection_ideas.create(description="Ask them", via=person)


def test_every_row_about_the_duplicate_moves_and_no_row_is_lost(owner, survivor, duplicate):
    _everything_about(duplicate, owner, factories.OpportunityFactory(owner=owner))
    factories.TouchFactory(contact=survivor)
    sizes = _table_sizes()
    theirs, mine = _rows_pointing_at(duplicate), _rows_pointing_at(survivor)

    merged = contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    # One row more in all: the MERGED event. The duplicate's record now points at the
    # survivor (merged into): one more row there.
    added = {("cultivation.ContactEvent", "contact"): 1, ("cultivation.Contact", "merged_into"): 1}
    assert _table_sizes() == {
        **sizes,
        "cultivation.ContactEvent": sizes["cultivation.ContactEvent"] + 1,
    }
    assert set(_rows_pointing_at(duplicate).values()) == {0}
    assert _rows_pointing_at(survivor) == {
        key: mine[key] + theirs[key] + added.get(key, 0) for key in mine
    }
    # A knows link is two rows, one each way: counted once.
    mirrored = theirs[("cultivation.Acquaintance", "to_contact")]
    assert merged.total == sum(theirs.values()) - mirrored


def test_the_duplicate_is_kept_only_to_lead_to_the_survivor_with_nothing_personal(
    owner, survivor, duplicate
):
    duplicate.linkedin_url = "https://linkedin.com/in/sam"
    duplicate.save()

    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    duplicate.refresh_from_db()
    assert (duplicate.merged_into, duplicate.is_merged) == (survivor, True)
    assert duplicate.name == f"Merged into #{survivor.pk}"
    assert (duplicate.email, duplicate.phone, duplicate.name_key, duplicate.linkedin_key) == (
        "",
        "",
        "",
        "",
    )
    assert (duplicate.owner, duplicate.organisation) == (None, None)
    assert list(Contact.objects.active()) == [survivor]


def test_one_merged_event_on_the_survivor_names_both(owner, survivor, duplicate):
    factories.TouchFactory(contact=duplicate)
    name, pk = duplicate.name, duplicate.pk

    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    event = survivor.events.get(action=Action.MERGED)
    assert event.by == owner
    assert event.note.startswith(f"Merged with {name} (#{pk}), a duplicate record: 1 touches")
    assert ContactEvent.objects.filter(action=Action.MERGED).count() == 1


def test_empty_details_are_filled_and_notes_kept_from_the_duplicate(owner, survivor, duplicate):
    survivor.how_we_know_them = "Introduced by Priya"
    survivor.save()

    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    survivor.refresh_from_db()
    assert survivor.phone == "+44 20 7946 0001"
    assert survivor.email != duplicate.email  # the survivor's own stays
    assert survivor.how_we_know_them == "Introduced by Priya\n\nMet at the harbour dinner"
    assert survivor.needs == "Office move\nA new accountant"
    record, *details = survivor.events.get(action=Action.MERGED).changes
    assert {change["field"] for change in details} == {"phone", "how_we_know_them", "needs"}
    assert (record["from"], record["to"]) == (
        f"Sam ONeill (#{duplicate.pk})",
        f"Sam O'Neill (#{survivor.pk})",
    )


def test_merging_from_a_preview_says_what_will_move_and_changes_nothing(
    owner, survivor, duplicate, django_assert_max_num_queries
):
    factories.TouchFactory.create_batch(3, contact=duplicate)
    factories.PromiseFactory(contact=duplicate, owner=owner)

    # One per relation (the alliance and its lunches among them), and one for each rule
    # that foresees a clash (the referrals between the two records, the alliances both
    # records might have).
    with django_assert_max_num_queries(26):
        preview = merge_preview(survivor=survivor, duplicate=duplicate)

    assert preview.moves == [("touches", 3), ("promises", 1)]
    assert preview.total == 4
    assert {change["field"] for change in preview.changes} == {"phone", "how_we_know_them", "needs"}
    assert duplicate.touches.count() == 3


# Clashes, each settled by its rule ------------------------------------------------------


def test_the_knows_link_between_the_two_goes_and_a_shared_acquaintance_is_known_once(
    owner, survivor, duplicate
):
    shared, theirs_only = factories.ContactFactory.create_batch(2, owner=owner)
    survivor.knows.add(duplicate, shared, through_defaults={"how": "colleague"})
    duplicate.knows.add(shared, through_defaults={"how": "friend"})
    duplicate.knows.add(theirs_only, through_defaults={"how": "client"})

    merged = contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    assert set(survivor.knows.all()) == {shared, theirs_only}
    assert set(shared.knows.all()) == {survivor}
    assert Acquaintance.objects.get(from_contact=survivor, to_contact=shared).how == "colleague"
    assert Acquaintance.objects.count() == 4  # two links, each both ways
    assert "The knows link between the two records goes." in merged.decisions
    assert "1 people both knew: known once, as the survivor's link says." in merged.decisions


def test_a_survivor_referred_by_the_duplicate_takes_the_duplicates_referrer(
    owner, survivor, duplicate
):
    referrer = factories.ContactFactory(owner=owner)
    survivor.referred_by = duplicate
    survivor.save()
    duplicate.referred_by = referrer
    duplicate.save()
    referred = factories.ContactFactory(referred_by=duplicate)

    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    survivor.refresh_from_db()
    referred.refresh_from_db()
    assert (survivor.referred_by, referred.referred_by) == (referrer, survivor)


def test_of_two_live_plans_the_survivors_goes_on_and_the_duplicates_ends_and_stays(
    owner, survivor, duplicate
):
    mine = factories.TouchPlanFactory(contact=survivor)
    theirs = factories.TouchPlanFactory(contact=duplicate)
    item = factories.PlanItemFactory(plan=theirs)

    merged = contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.contact, mine.is_live) == (survivor, True)
    assert (theirs.contact_id, theirs.is_live) == (duplicate.pk, False)
    assert list(theirs.items.all()) == [item]
    assert survivor.events.filter(action=Action.PLAN_ENDED).count() == 1
    assert merged.decisions == [
        "Both had a touch plan: the survivor's goes on; the duplicate's ends and stays with "
        "the merged record."
    ]


def test_a_live_plan_of_the_duplicate_goes_on_when_the_survivors_had_ended(
    owner, survivor, duplicate
):
    mine = factories.TouchPlanFactory(contact=survivor, ended_at=timezone.now())
    theirs = factories.TouchPlanFactory(contact=duplicate)

    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (theirs.contact, theirs.is_live) == (survivor, True)
    assert mine.contact_id == duplicate.pk
    assert Contact.objects.filter(name="(merging)").count() == 0


def test_of_two_live_follow_ups_the_one_with_more_attempts_stays_open(owner, survivor, duplicate):
    mine = factories.FollowUpFactory(contact=survivor, attempt_count=1)
    theirs = factories.FollowUpFactory(contact=duplicate, attempt_count=2)

    merged = contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (theirs.contact, theirs.status) == (survivor, FollowUp.Status.OPEN)
    assert (mine.contact, mine.status) == (survivor, FollowUp.Status.CLOSED)
    assert survivor.events.filter(action=Action.FOLLOW_UP_CLOSED).count() == 1
    assert merged.decisions == [
        "Both had a live follow-up: the one with 2 attempt(s) stays open; the one with 1 closes."
    ]


def test_of_two_live_follow_ups_with_as_many_attempts_the_earlier_due_stays_open(
    owner, survivor, duplicate
):
    now = timezone.now()
    mine = factories.FollowUpFactory(contact=survivor, next_due_at=now + timedelta(days=5))
    theirs = factories.FollowUpFactory(contact=duplicate, next_due_at=now + timedelta(days=1))

    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    assert FollowUp.objects.get(status=FollowUp.Status.OPEN) == theirs
    assert FollowUp.objects.get(status=FollowUp.Status.CLOSED) == mine


def test_consent_given_on_the_duplicate_holds_unless_withdrawn_on_the_survivor_since(
    owner, survivor, duplicate
):
    given = timezone.now() - timedelta(days=10)
    Contact.objects.filter(pk=duplicate.pk).update(
        has_opted_in=True, opted_in_at=given, opt_in_how="asked at lunch"
    )
    duplicate.refresh_from_db()

    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    survivor.refresh_from_db()
    assert (survivor.has_opted_in, survivor.opted_in_at, survivor.opt_in_how) == (
        True,
        given,
        "asked at lunch",
    )


def test_consent_withdrawn_on_the_survivor_after_the_duplicates_was_given_stands(
    owner, survivor, duplicate
):
    given = timezone.now() - timedelta(days=10)
    Contact.objects.filter(pk=duplicate.pk).update(
        has_opted_in=True, opted_in_at=given, opt_in_how="asked at lunch"
    )
    ContactEvent.objects.create(contact=survivor, action=Action.OPTED_OUT, by=owner)

    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    survivor.refresh_from_db()
    assert (survivor.has_opted_in, survivor.opted_in_at) == (False, None)


def test_asked_to_stop_on_the_duplicate_holds_for_the_survivor(owner, survivor, duplicate):
    plan = factories.TouchPlanFactory(contact=survivor)
    touch_log(contact=duplicate, method="call", outcome="asked_to_stop", by=owner)

    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    survivor.refresh_from_db()
    plan.refresh_from_db()
    assert survivor.has_asked_to_stop
    assert not plan.is_live
    with pytest.raises(RuleViolation, match="asked us to stop"):
        touch_log(contact=survivor, method="email", by=owner)


# Who may, and what is refused ----------------------------------------------------------


def _nothing_changed(survivor, duplicate, touches):
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    assert list(duplicate.touches.all()) == touches
    assert not ContactEvent.objects.filter(action=Action.MERGED).exists()


def test_a_teammate_may_not_merge_someone_elses_people(teammate, survivor, duplicate):
    touches = [factories.TouchFactory(contact=duplicate)]

    for _ in range(2):
        with pytest.raises(
            PermissionRefused, match="Only Alice Owner, who owns them, or a manager"
        ):
            contact_merge(survivor=survivor, duplicate=duplicate, by=teammate)

    _nothing_changed(survivor, duplicate, touches)


def test_records_with_two_owners_are_a_managers_to_merge(owner, teammate, manager, survivor):
    theirs = factories.ContactFactory(owner=teammate)

    with pytest.raises(PermissionRefused, match="two owners .*only a manager"):
        contact_merge(survivor=survivor, duplicate=theirs, by=owner)
    contact_merge(survivor=survivor, duplicate=theirs, by=manager)

    theirs.refresh_from_db()
    assert theirs.merged_into == survivor


def test_people_nobody_owns_may_be_merged_by_anyone_signed_in(teammate):
    one, two = factories.ContactFactory.create_batch(2, owner=None)

    contact_merge(survivor=one, duplicate=two, by=teammate)

    two.refresh_from_db()
    assert two.merged_into == one


def test_nobody_signed_in_merges_nothing(survivor, duplicate):
    with pytest.raises(PermissionRefused):
        contact_merge(survivor=survivor, duplicate=duplicate, by=None)

    assert duplicate.merged_into is None


def test_merging_twice_says_it_is_already_merged(owner, survivor, duplicate):
    factories.TouchFactory(contact=duplicate)
    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    with pytest.raises(RuleViolation, match=f"#{duplicate.pk} was already merged into #"):
        contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    assert survivor.touches.count() == 1
    assert ContactEvent.objects.filter(action=Action.MERGED).count() == 1


def test_merging_into_a_merged_record_is_refused(owner, survivor, duplicate):
    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)
    third = factories.ContactFactory(owner=owner)

    with pytest.raises(RuleViolation, match="already merged"):
        contact_merge(survivor=duplicate, duplicate=third, by=owner)


def test_a_person_cannot_be_merged_with_themself(owner, survivor):
    with pytest.raises(RuleViolation, match="is one record"):
        contact_merge(survivor=survivor, duplicate=survivor, by=owner)

    survivor.refresh_from_db()
    assert survivor.merged_into is None


def test_an_erased_person_cannot_be_merged_either_way(owner, manager, survivor, duplicate):
    contact_erase(contact=duplicate, by=manager, reason="Asked to be forgotten")

    for pair in ((survivor, duplicate), (duplicate, survivor)):
        with pytest.raises(RuleViolation, match="was erased: an erased person is no one"):
            contact_merge(survivor=pair[0], duplicate=pair[1], by=manager)

    assert not ContactEvent.objects.filter(action=Action.MERGED).exists()


def test_a_record_merged_earlier_into_the_duplicate_now_leads_to_the_survivor(
    owner, survivor, duplicate
):
    earlier = factories.ContactFactory(owner=owner)
    contact_merge(survivor=duplicate, duplicate=earlier, by=owner)

    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    earlier.refresh_from_db()
    assert earlier.merged_into == survivor


# Every relation, found from the models ---------------------------------------------------


def test_every_relation_to_a_person_is_found_including_those_without_a_reverse_name():
    found = {(model._meta.label, field.name) for model, field in person_relations()}

    named = {
        (rel.related_model._meta.label, rel.field.name)
        for rel in Contact._meta.related_objects
        if not rel.many_to_many
    }
    assert named <= found
    assert {
        ("cultivation.Touch", "introduced_to"),
        ("cultivation.Acquaintance", "from_contact"),
        ("cultivation.Acquaintance", "to_contact"),
        ("opportunities.ConnectionIdea", "via"),
    } <= found
    assert len(relations()) == len(found)


def test_a_relation_with_no_rule_is_named_by_its_model_and_column():
    by_column = {(r.model._meta.label, r.field): r for r in relations()}

    assert by_column[("cultivation.ErasedIdentity", "contact")].label == "erasures (contact)"
    assert by_column[("cultivation.Touch", "contact")].label == "touches"


def test_consent_withdrawn_on_the_duplicate_after_the_survivors_was_given_is_withdrawn(
    owner, survivor, duplicate
):
    Contact.objects.filter(pk=survivor.pk).update(
        has_opted_in=True, opted_in_at=timezone.now() - timedelta(days=10), opt_in_how="lunch"
    )
    survivor.refresh_from_db()
    ContactEvent.objects.create(contact=duplicate, action=Action.OPTED_OUT, by=owner)

    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    survivor.refresh_from_db()
    assert (survivor.has_opted_in, survivor.opted_in_at, survivor.opt_in_how) == (False, None, "")


def test_the_preview_says_how_two_plans_and_two_follow_ups_will_be_settled(
    owner, survivor, duplicate
):
    factories.TouchPlanFactory(contact=survivor)
    factories.TouchPlanFactory(contact=duplicate)
    factories.FollowUpFactory(contact=survivor, attempt_count=2)
    factories.FollowUpFactory(contact=duplicate, attempt_count=1)

    preview = merge_preview(survivor=survivor, duplicate=duplicate)

    assert preview.decisions == [
        "Both had a touch plan: the survivor's goes on; the duplicate's ends and stays with "
        "the merged record.",
        "Both had a live follow-up: the one with 2 attempt(s) stays open; the one with 1 closes.",
    ]
    assert TouchPlan.objects.filter(ended_at=None).count() == 2
