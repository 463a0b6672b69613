"""Writes that enforce the card rules. The board, admin, tasks and commands call these."""

from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Min
from django.utils import timezone

from convivio.errors import RuleViolation, StaleVersion
from cultivation import policy as people_policy
from cultivation import services as cultivation
from cultivation.history import field_change
from cultivation.matching import SAME_EMAIL, possible_duplicates
from cultivation.models import Acquaintance, Organisation

from . import policy, rules
from .models import CardChange, ConnectionIdea, Opportunity, Stage, StageChange

# Positions are spaced so a card can be dropped between two others without
# renumbering the column; the column is renumbered only when a gap runs out.
POSITION_GAP = 1024


@transaction.atomic
def opportunity_open(*, opportunity, by, note=""):
    """Save a new card. It starts in Research, or in Connecting/Cultivating if inbound.
    Anyone may add a card they own; a card for someone else is a manager's to add."""
    policy.require(
        policy.can_open_card(by, opportunity.owner),
        f"Only a manager can add a card for {policy.full_name(opportunity.owner)}.",
    )
    refusal = rules.creation_refusal(opportunity.stage, opportunity.source)
    if refusal:
        raise RuleViolation(refusal)
    opportunity.stage_entered_at = timezone.now()
    opportunity.position = _position_after(opportunity.stage, None, moving=opportunity)
    opportunity.version = 1
    opportunity.save()
    StageChange.objects.create(
        opportunity=opportunity,
        by=by,
        at=opportunity.stage_entered_at,  # the card and its history agree to the microsecond
        from_stage="",
        to_stage=opportunity.stage,
        note=note,
    )
    _cultivation_follows(opportunity, "", by)
    return opportunity


@transaction.atomic
def opportunity_quick_add(*, title, organisation_name, priority, stage, source, by):
    """A new card from the board, owned by `by`. The organisation is found by name (any
    case) or created; a refused card leaves no new organisation behind."""
    organisation = None
    if organisation_name:
        organisation, _ = Organisation.objects.get_or_create(
            name__iexact=organisation_name, defaults={"name": organisation_name}
        )
    card = Opportunity(
        title=title,
        organisation=organisation,
        priority=priority,
        stage=stage,
        source=source,
        owner=by,
    )
    return opportunity_open(opportunity=card, by=by, note="Added from the board.")


@transaction.atomic
def opportunity_move(*, opportunity, to_stage, by, version, note="", after=None):
    """Move a card by the rules of docs/method.md, recording who, when, from, to and why.

    `version` is the card's version the person saw; a different one means
    someone else changed the card meanwhile, and the move is refused.
    `after` is the card it should follow in its new column (None: the top).
    The card's owner, its colleagues or a manager may move it. Moved to Won, its people
    move into servicing; the returned card's `unserved` names those who got no client
    touch plan (their history says why), for the move's message.
    """
    card = _lock(opportunity, version, by=by, doing="move")
    refusal = rules.move_refusal(card.stage, to_stage, note)
    if refusal:
        raise RuleViolation(refusal)
    from_stage = card.stage
    card.stage = to_stage
    card.stage_entered_at = timezone.now()
    card.lost_reason = note.strip() if to_stage == Stage.LOST else ""
    card.position = _position_after(to_stage, after, moving=card)
    card.version += 1
    card.save(
        update_fields=[
            "stage",
            "stage_entered_at",
            "lost_reason",
            "position",
            "version",
            "updated_at",
        ]
    )
    StageChange.objects.create(
        opportunity=card, by=by, from_stage=from_stage, to_stage=to_stage, note=note.strip()
    )
    card.unserved = _cultivation_follows(card, from_stage, by)
    _sync_instance(opportunity, card)
    return card


@transaction.atomic
def opportunity_reorder(*, opportunity, by, version, after=None):
    """Place a card after another in its own column (None: at the top). The card's owner,
    its colleagues or a manager may."""
    card = _lock(opportunity, version, by=by, doing="move")
    card.position = _position_after(card.stage, after, moving=card)
    card.version += 1
    card.save(update_fields=["position", "version", "updated_at"])
    _sync_instance(opportunity, card)
    return card


class SameMoment(StaleVersion):
    """Someone else dropped a card on the same spot at the same instant: nothing changed."""


def opportunity_place(*, opportunity, to_stage, by, version, note="", after=None):
    """Drop a card after card `after` (None: the top) in `to_stage`: a reorder in its own
    column when there is no note, else a move (`opportunity_move`, with its rules).

    Two people dropping cards on the same spot at the same instant can collide (a shared
    position, or a deadlock PostgreSQL broke): the loser's work is rolled back and
    `SameMoment` says so; nothing of it is kept.
    """
    try:
        # Its own atomic block: rolled back (to a savepoint if the caller has a
        # transaction) before the refusal is raised, so the connection stays usable.
        with transaction.atomic():
            if to_stage == opportunity.stage and note == "":
                return opportunity_reorder(
                    opportunity=opportunity, by=by, version=version, after=after
                )
            return opportunity_move(
                opportunity=opportunity,
                to_stage=to_stage,
                by=by,
                version=version,
                note=note,
                after=after,
            )
    except (IntegrityError, OperationalError) as error:
        raise SameMoment(
            f"“{opportunity.title}” was not moved: someone else moved a card there "
            "at the same moment. Try again."
        ) from error


@transaction.atomic
def opportunity_reassign(*, opportunity, owner, by):
    """Hand a card to another owner: its owner or a manager may. Not a move, so no stage
    history, but a history row (who, when, from whom, to whom) and a new version."""
    card = Opportunity.objects.select_for_update(of=("self",)).select_related("owner")
    card = card.get(pk=opportunity.pk)
    policy.require(policy.can_reassign_card(by, card), policy.reassign_refusal(card))
    if not owner.is_active:
        raise RuleViolation(f"{owner} is no longer active and cannot own cards.")
    if owner.pk == card.owner_id:
        return card
    _record(card, by, "owner", card.owner, owner)
    card.owner = owner
    card.version += 1
    card.save(update_fields=["owner", "version", "updated_at"])
    _sync_instance(opportunity, card)
    return card


def _record(card, by, name, before, after):
    entry = field_change(Opportunity, name, before, after)
    return CardChange.objects.create(
        opportunity=card, by=by, field=name, old=entry["from"], new=entry["to"]
    )


def _cultivation_follows(card, from_stage, by):
    """The people on a card follow its moves (docs/method.md), each of them. Returns the
    names of those a won card could not move into servicing."""
    unserved = []
    for link in card.links.select_related("contact"):
        if not _person_follows(card, link.contact, from_stage, by, met_at=card.stage_entered_at):
            unserved.append(link.contact.name)
    return unserved


def _person_follows(card, person, from_stage, by, *, met_at):
    """Entering Connecting, a person has just been met: a follow-up falls due. Leaving it
    closes their follow-up, unless another of their cards is still in Connecting. Entering
    Cultivating gives them a touch plan (refused past the owner's capacity). Entering Won
    moves them into servicing, a client touch plan, never refusing the move (who gets no
    plan has the reason in their history); otherwise someone who asked us to stop is left
    alone. Returns False for an active person a won card could not move into servicing."""
    served = True
    if card.stage == Stage.WON and not person.retired_reason:
        why = f"“{card.title}” was won."
        served = cultivation.touch_plan_serve(contact=person, by=by, why=why) is not None
    if person.has_asked_to_stop:
        return served
    if from_stage == Stage.CONNECTING and not _in_connecting_elsewhere(person, card):
        note = f"“{card.title}” moved to {card.get_stage_display()}."
        cultivation.follow_up_close(contact=person, by=by, note=note)
    if card.stage == Stage.CONNECTING:
        cultivation.follow_up_start(contact=person, priority=card.priority, by=by, met_at=met_at)
    elif card.stage == Stage.CULTIVATING:
        cultivation.touch_plan_start_for_card(contact=person, by=by)
    return served


def _in_connecting_elsewhere(person, card):
    others = person.card_links.exclude(opportunity=card)
    return others.filter(opportunity__stage=Stage.CONNECTING).exists()


def _lock(opportunity, version, *, by, doing):
    """Lock the card; refused unless `by` may change it, or if it changed since `version`."""
    card = (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("owner")
        .get(pk=opportunity.pk)
    )
    policy.require(policy.can_change_card(by, card), policy.card_refusal(card, doing))
    if version is not None and int(version) != card.version:
        raise StaleVersion(
            f"Someone else changed “{card.title}” since you loaded it; it is now in "
            f"{card.get_stage_display()}. Nothing was changed: check it and try again."
        )
    return card


def _sync_instance(instance, saved):
    if instance is not saved:
        for field in (
            "stage",
            "stage_entered_at",
            "lost_reason",
            "position",
            "version",
            "owner_id",
        ):
            setattr(instance, field, getattr(saved, field))


def _position_after(stage, after, *, moving):
    """A position in `stage` just after card `after` (a pk or card, or None for the top).

    The neighbour row is locked first, so two people dropping cards at the same
    place take turns instead of computing the same position.
    """
    column = Opportunity.objects.filter(stage=stage).exclude(pk=moving.pk)
    if after is None:
        column.select_for_update().order_by("position").values_list("pk").first()
        return _top_position_in(column)
    after_pk = getattr(after, "pk", after)
    anchor = (
        column.select_for_update().filter(pk=after_pk).values_list("position", flat=True).first()
    )
    if anchor is None:
        raise RuleViolation("The card you dropped it next to is no longer in that column.")
    following = column.filter(position__gt=anchor).aggregate(next=Min("position"))["next"]
    if following is None:
        return anchor + POSITION_GAP
    if following - anchor >= 2:
        return (anchor + following) // 2
    _renumber(stage)
    return _position_after(stage, after, moving=moving)


def _top_position_in(column):
    lowest = column.aggregate(low=Min("position"))["low"]
    return 0 if lowest is None else lowest - POSITION_GAP


def _renumber(stage):
    column = Opportunity.objects.filter(stage=stage)
    cards = list(column.select_for_update().order_by("position", "pk").only("pk", "position"))
    # Every new position lies above every old one, so the (stage, position)
    # unique index never sees two equal values mid-update.
    base = cards[-1].position + POSITION_GAP
    for index, card in enumerate(cards):
        card.position = base + index * POSITION_GAP
    Opportunity.objects.bulk_update(cards, ["position"], batch_size=500)


# Editing a card --------------------------------------------------------------

EDITABLE_FIELDS = ("title", "organisation", "priority", "estimated_value", "pain", "gain")
# The admin may also correct where a card came from.
UPDATABLE_FIELDS = (*EDITABLE_FIELDS, "source")


@transaction.atomic
def opportunity_update(*, opportunity, by, version, colleagues=None, owner=None, **changes):
    """Change a card's details (not its stage: that is a move); refused if changed meanwhile.

    The card's owner, its colleagues or a manager may; a new owner is a reassignment
    (the owner or a manager). Each changed field, and the colleagues if they
    changed, leave a history row: who, when, from what, to what.
    """
    card = _lock(opportunity, version, by=by, doing="edit")
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise RuleViolation(f"These fields cannot be edited here: {', '.join(sorted(unknown))}.")
    changed = [name for name, value in changes.items() if getattr(card, name) != value]
    for name in changed:
        _record(card, by, name, getattr(card, name), changes[name])
        setattr(card, name, changes[name])
    card.version += 1
    card.save(update_fields=[*changed, "version", "updated_at"])
    if colleagues is not None:
        _set_colleagues(card, colleagues, by)
    if owner is not None and owner.pk != card.owner_id:
        card = opportunity_reassign(opportunity=card, owner=owner, by=by)
    _sync_instance(opportunity, card)
    for name in changes:
        setattr(opportunity, name, getattr(card, name))
    return card


def _set_colleagues(card, colleagues, by):
    before, after = set(card.colleagues.all()), set(colleagues)
    if before != after:
        card.colleagues.set(after)
        _record(card, by, "colleagues", before, after)


@transaction.atomic
def opportunity_add_contact(*, opportunity, contact, by, role="", is_primary=False):
    """Put a person on a card (its owner, colleagues or a manager). In Connecting they were
    just met: a follow-up falls due; in Cultivating they get a touch plan. The first person
    on a card is its primary."""
    card = _lock(opportunity, None, by=by, doing="add people to")
    if card.links.filter(contact=contact).exists():
        raise RuleViolation(f"{contact} is already on this card.")
    has_primary = card.links.primary().exists()
    if is_primary and has_primary:
        # One primary per card (a constraint): the old one steps down first.
        card.links.primary().update(is_primary=False)
    link = card.links.create(contact=contact, role=role, is_primary=is_primary or not has_primary)
    CardChange.objects.create(opportunity=card, by=by, field="contacts", new=contact.name)
    _person_follows(card, contact, "", by, met_at=timezone.now())
    return link


@transaction.atomic
def connection_idea_add(*, opportunity, by, kind, description, via=None):
    """Record a way we might meet the card's people (its owner, colleagues or a manager)."""
    card = _lock(opportunity, None, by=by, doing="add ideas to")
    return ConnectionIdea.objects.create(
        opportunity=card, kind=kind, description=description.strip(), via=via, created_by=by
    )


@transaction.atomic
def connection_idea_mark(*, idea, status, by):
    """Record how an idea went: idea, tried, worked or didn't work (the card's owner,
    colleagues or a manager)."""
    _lock(idea.opportunity, None, by=by, doing="mark ideas on")
    if status not in ConnectionIdea.Status.values:
        raise RuleViolation(f"“{status}” is not a status an idea can have.")
    idea.status = status
    idea.save(update_fields=["status", "updated_at"])
    return idea


# Ways to connect: "Who could introduce us?" -------------------------------------------

DESCRIPTION_MAX = ConnectionIdea._meta.get_field("description").max_length


@transaction.atomic
def connection_idea_ask_introduction(*, opportunity, via, by):
    """One click on "Who could introduce us?": an idea, of kind introduction, to ask `via`
    (who must know someone on the card) to introduce us (its owner, colleagues or a manager).
    An introduction via them still being tried (not yet marked worked or didn't work) is not
    added twice. Returns (the idea, whether it was added now)."""
    card = _lock(opportunity, None, by=by, doing="add ideas to")
    if via.is_erased:
        raise RuleViolation("That person was erased: choose someone else to ask.")
    if via.has_asked_to_stop:
        raise RuleViolation(f"{via.name} asked us to stop: we don't ask them for anything.")
    if card.links.filter(contact=via).exists():
        raise RuleViolation(f"{via.name} is on this card: ask someone else to introduce us.")
    known = (
        Acquaintance.objects.filter(from_contact=via, to_contact__card_links__opportunity=card)
        .order_by("to_contact__name")
        .values_list("to_contact__name", flat=True)
    )
    names = list(known)
    if not names:
        raise RuleViolation(
            f"{via.name} knows no one on “{card.title}”: record who they know on their page first."
        )
    live = (ConnectionIdea.Status.IDEA, ConnectionIdea.Status.TRIED)
    asked = card.connection_ideas.filter(
        kind=ConnectionIdea.Kind.INTRODUCTION, via=via, status__in=live
    ).first()
    if asked is not None:
        return asked, False
    description = f"Ask {via.name} to introduce us to {_and(names)}."
    if len(description) > DESCRIPTION_MAX:
        description = description[: DESCRIPTION_MAX - 1] + "…"
    idea = connection_idea_add(
        opportunity=card,
        by=by,
        kind=ConnectionIdea.Kind.INTRODUCTION,
        description=description,
        via=via,
    )
    return idea, True


def _and(names):
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# Adding a person to a card: someone we have, or someone new ------------------------------


@dataclass(frozen=True)
class PersonAdded:
    """A person put on a card: their `link`; `found`, the match when someone already on file
    (the same email) was put on instead of a new person; `duplicates`, the possible
    duplicates of a new person, to warn about (never a refusal)."""

    link: object
    found: object = None
    duplicates: tuple = ()

    @property
    def contact(self):
        return self.link.contact


@transaction.atomic
def opportunity_add_person(
    *,
    opportunity,
    by,
    name="",
    email="",
    role="",
    organisation=None,
    card_role="",
    is_primary=False,
):
    """Put a person on the card by their details (its owner, colleagues or a manager): the
    person with that email if we have one, else a new person (`contact_create`), kept by
    the card's owner when `by` may say so (the owner or a manager), else by `by`. Then
    `opportunity_add_contact`, with their role on the card. Refused whole: no person is
    left behind without the card."""
    card = _lock(opportunity, None, by=by, doing="add people to")
    found = _same_email(email)
    if found is not None:
        person, duplicates = found.contact, ()
    else:
        _refuse_one_already_on(card, name, organisation)
        person = cultivation.contact_create(
            by=by,
            name=name,
            email=email,
            role=role,
            organisation=organisation,
            owner=_keeper(card, by),
        )
        duplicates = tuple(
            possible_duplicates(name=person.name, organisation=person.organisation, exclude=person)
        )
    link = opportunity_add_contact(
        opportunity=card, contact=person, by=by, role=card_role.strip(), is_primary=is_primary
    )
    return PersonAdded(link=link, found=found, duplicates=duplicates)


def _refuse_one_already_on(card, name, organisation):
    """The same name at the same organisation already on the card is that person (the form
    sent twice), not someone new."""
    matches = [match.contact for match in possible_duplicates(name=name, organisation=organisation)]
    there = card.links.filter(contact__in=matches).select_related("contact").first()
    if there is not None:
        raise RuleViolation(f"{there.contact.name} is already on this card.")


def _same_email(email):
    """Someone we have with exactly this email (any case), as a match, or None."""
    if not (email or "").strip():
        return None
    matches = possible_duplicates(email=email, limit=1)
    return next((match for match in matches if match.reason == SAME_EMAIL), None)


def _keeper(card, by):
    """Who keeps a person added to the card: its owner, if `by` may add one for them."""
    owner = card.owner
    if owner.is_active and people_policy.can_add_person(by, owner):
        return owner
    return by


@transaction.atomic
def opportunity_quick_add_with_person(
    *,
    title,
    organisation_name,
    priority,
    stage,
    source,
    by,
    person_name="",
    person_email="",
    person_role="",
):
    """Quick add with a person: the card (`opportunity_quick_add`), then the person with that
    email if we have one, else a new one at the card's organisation, put on it
    (`opportunity_add_person`). Refused whole: no card without its person."""
    card = opportunity_quick_add(
        title=title,
        organisation_name=organisation_name,
        priority=priority,
        stage=stage,
        source=source,
        by=by,
    )
    return opportunity_add_person(
        opportunity=card,
        by=by,
        name=person_name,
        email=person_email,
        role=person_role,
        organisation=card.organisation,
        card_role=person_role,
    )
