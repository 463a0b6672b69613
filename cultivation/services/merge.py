"""Merging two records of one person: everything about the duplicate moves to the survivor.

Every column of every model that points at a person is found from the models
themselves (`person_relations`), so a relation added later moves too. Most rows
simply move. Where the survivor could already hold the row, one stated rule decides
(docs/cultivation.md, "Duplicates and merging"):

- knows links: the link between the two disappears; a person both knew is known
  once, by the survivor's link (its "how"); the duplicate's other links move;
- referrals: the survivor is no longer "referred by" the duplicate; a ledger referral
  between the two records (one referred by or to the other) goes, since a person is
  not referred by or to themselves;
- touch plan (one per person): if both records have one, the live one goes on, the
  survivor's when both are live; the other one ends (if live) and stays with the
  merged record, its items with it;
- follow-ups (one live per person): if both are live, the one with more attempts
  stays live (then the earlier due, then the survivor's); the other closes;
- strategic alliance (one per person): as the touch plan, the live one goes on and
  the other ends and stays with the merged record; the lunches move;
- the layers above register their own rules (a card both were on keeps one place:
  `cultivation.seams.MergeRule`); a clash no rule settles leaves those rows with the
  merged record, and the merge says so.

The survivor keeps its own details; an empty one (organisation, role, email, phone,
LinkedIn, owner, referred by) takes the duplicate's; "how we know them" and "what
makes them tick" get the duplicate's text as a new paragraph, "needs" its lines
not already listed. Consent: the latest decision of either record stands. "Asked
us to stop" on either record holds for the survivor (its plan ends, follow-up
closes, open promises are released). Capacity is not checked: a merge never adds
a person to anyone's pool, it turns two records of one person into one.

The duplicate is not deleted: it stays as a record that points at the survivor
(`merged_into`), so its old address leads there, with every personal detail
blanked (what the survivor lacked was copied, the rest is in the MERGED event's
changes). Erased people cannot be merged: they are no one any more.
"""

import logging
from dataclasses import dataclass

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from convivio.errors import RuleViolation

from .. import policy, seams
from ..history import field_change
from ..models import (
    Acquaintance,
    Alliance,
    Contact,
    ContactEvent,
    Exchange,
    FollowUp,
    Promise,
    Referral,
    Touch,
    TouchPlan,
)
from . import follow_ups, plans
from .alliances import ASKED_TO_STOP, end_live_alliance, foresee_alliances, merge_alliances

Action = ContactEvent.Action
logger = logging.getLogger(__name__)

# Details the survivor keeps, or takes from the duplicate when it has none.
FILLED = ("organisation", "role", "email", "phone", "linkedin_url", "owner")
# Notes the duplicate's text is added to.
APPENDED = ("how_we_know_them", "what_makes_them_tick")
STOPPED = "They asked us to stop (recorded on a merged duplicate)."


# The relations, found from the models ------------------------------------------------


def person_relations():
    """Every column of every installed model that points at a person: (model, field)."""
    return [
        (model, field)
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy
        for field in model._meta.local_concrete_fields
        if field.is_relation and field.related_model is Contact
    ]


def _move_rows(model, field, *, survivor, duplicate):
    """Point the duplicate's rows of `model.field` at the survivor; returns how many rows
    could not move (a uniqueness no rule settles): they stay with the merged record."""
    rows = model._base_manager.filter(**{field: duplicate})
    try:
        with transaction.atomic():
            rows.update(**{field: survivor})
            return 0
    except IntegrityError:
        pass
    stuck = 0
    for pk in rows.values_list("pk", flat=True):
        try:
            with transaction.atomic():
                model._base_manager.filter(pk=pk).update(**{field: survivor})
        except IntegrityError:
            stuck += 1
    return stuck


# Cultivation's own clash rules ---------------------------------------------------------


def _knows_clashes(survivor, duplicate):
    between = Q(from_contact=survivor, to_contact=duplicate) | Q(
        from_contact=duplicate, to_contact=survivor
    )
    known = Acquaintance.objects.filter(from_contact=survivor).values("to_contact")
    both = Q(from_contact=duplicate, to_contact__in=known) | Q(
        to_contact=duplicate, from_contact__in=known
    )
    return Acquaintance.objects.filter(between), Acquaintance.objects.filter(both)


def _knows_sentences(between, both):
    sentences = []
    if between:
        sentences.append("The knows link between the two records goes.")
    if both:
        sentences.append(f"{both} people both knew: known once, as the survivor's link says.")
    return sentences


def _move_knows(*, survivor, duplicate, by):
    between, both = _knows_clashes(survivor, duplicate)
    # Each link is two rows, one per direction.
    sentences = _knows_sentences(between.delete()[0] // 2, both.delete()[0] // 2)
    _move_rows(Acquaintance, "from_contact", survivor=survivor, duplicate=duplicate)
    return sentences


def _foresee_knows(*, survivor, duplicate):
    between, both = _knows_clashes(survivor, duplicate)
    return _knows_sentences(between.count() // 2, both.count() // 2)


def _move_referrals(*, survivor, duplicate, by):
    # Referred by themself is no referral; the survivor's own "referred by" is settled
    # with its other details.
    Contact.objects.filter(pk=survivor.pk, referred_by=duplicate).update(referred_by=None)
    _move_rows(Contact, "referred_by", survivor=survivor, duplicate=duplicate)
    return []


def _referrals_between(survivor, duplicate):
    """Referrals that would name one person twice once the two records are one: the
    person referred by, or to, their own duplicate."""
    pair = [survivor.pk, duplicate.pk]
    return Referral.objects.filter(
        Q(person__in=pair) & (Q(from_person__in=pair) | Q(to_person__in=pair))
    )


def _referral_sentences(count):
    if not count:
        return []
    return [
        f"{count} referral{'s' if count > 1 else ''} between the two records "
        f"{'go' if count > 1 else 'goes'}: a person is not referred by or to themselves."
    ]


def _move_referrals_about(*, survivor, duplicate, by):
    # A referral of someone by (or to) themselves is no referral, and the database
    # refuses one (referral_not_self): those rows go, with the card link they led to; the
    # merge's history event says how many. Then the rest move, by the plain rule.
    _, deleted = _referrals_between(survivor, duplicate).delete()
    _move_rows(Referral, "person", survivor=survivor, duplicate=duplicate)
    return _referral_sentences(deleted.get(Referral._meta.label, 0))


def _foresee_referrals_about(*, survivor, duplicate):
    return _referral_sentences(_referrals_between(survivor, duplicate).count())


def _plan_decision(mine, theirs):
    """(kept, ended or None, sentence) when both records have a plan: the live one goes on."""
    if theirs.is_live and not mine.is_live:
        kept, other = theirs, mine
        sentence = "Both had a touch plan: the duplicate's live plan goes on"
    else:
        kept, other = mine, theirs
        sentence = "Both had a touch plan: the survivor's goes on"
    if other.is_live:
        sentence += "; the duplicate's ends and stays with the merged record."
    else:
        sentence += "; the ended one stays with the merged record."
    return kept, other, sentence


def _swap_plans(mine, theirs, *, survivor, duplicate):
    # One plan per person (a unique column): the two rows swap through a placeholder,
    # gone again before the transaction ends.
    placeholder = Contact.objects.create(name="(merging)")
    TouchPlan.objects.filter(pk=mine.pk).update(contact=placeholder)
    TouchPlan.objects.filter(pk=theirs.pk).update(contact=survivor)
    TouchPlan.objects.filter(pk=mine.pk).update(contact=duplicate)
    Contact.objects.filter(pk=placeholder.pk).delete()


def _move_plan(*, survivor, duplicate, by):
    plans_of = TouchPlan.objects.select_for_update().filter(contact__in=[survivor, duplicate])
    found = {plan.contact_id: plan for plan in plans_of}
    mine, theirs = found.get(survivor.pk), found.get(duplicate.pk)
    if theirs is None:
        return []
    if mine is None:
        _move_rows(TouchPlan, "contact", survivor=survivor, duplicate=duplicate)
        return []
    kept, other, sentence = _plan_decision(mine, theirs)
    if other.is_live:
        reason = f"Merged: {survivor.name}'s records had two live touch plans; one goes on."
        TouchPlan.objects.filter(pk=other.pk).update(ended_at=timezone.now(), end_reason=reason)
        ContactEvent.objects.create(contact=survivor, action=Action.PLAN_ENDED, by=by, note=reason)
    if kept is theirs:
        _swap_plans(mine, theirs, survivor=survivor, duplicate=duplicate)
    return [sentence]


def _foresee_plan(*, survivor, duplicate):
    found = {
        plan.contact_id: plan
        for plan in TouchPlan.objects.filter(contact__in=[survivor, duplicate])
    }
    mine, theirs = found.get(survivor.pk), found.get(duplicate.pk)
    if mine is None or theirs is None:
        return []
    return [_plan_decision(mine, theirs)[2]]


def _follow_up_decision(live, survivor):
    """(stays, closes) of two live follow-ups: more attempts, then the earlier due,
    then the survivor's."""
    far = timezone.now().replace(year=9999)

    def rank(follow_up):
        mine = 0 if follow_up.contact_id == survivor.pk else 1
        return (-follow_up.attempt_count, follow_up.next_due_at or far, mine)

    stays, closes = sorted(live, key=rank)
    return stays, closes


def _live_follow_ups(survivor, duplicate):
    live = FollowUp.objects.live().filter(contact__in=[survivor, duplicate])
    return list(live.select_for_update())


def _follow_up_sentence(stays, closes):
    return (
        f"Both had a live follow-up: the one with {stays.attempt_count} attempt(s) stays "
        f"open; the one with {closes.attempt_count} closes."
    )


def _move_follow_ups(*, survivor, duplicate, by):
    live = _live_follow_ups(survivor, duplicate)
    sentences = []
    if len(live) == 2:
        stays, closes = _follow_up_decision(live, survivor)
        closes.status, closes.ended_at, closes.next_due_at = (
            FollowUp.Status.CLOSED,
            timezone.now(),
            None,
        )
        closes.save(update_fields=["status", "ended_at", "next_due_at"])
        sentence = _follow_up_sentence(stays, closes)
        ContactEvent.objects.create(
            contact=survivor, action=Action.FOLLOW_UP_CLOSED, by=by, note=f"Merged: {sentence}"
        )
        sentences.append(sentence)
    _move_rows(FollowUp, "contact", survivor=survivor, duplicate=duplicate)
    return sentences


def _foresee_follow_ups(*, survivor, duplicate):
    live = list(FollowUp.objects.live().filter(contact__in=[survivor, duplicate]))
    if len(live) != 2:
        return []
    return [_follow_up_sentence(*_follow_up_decision(live, survivor))]


OWN_RULES = (
    seams.MergeRule(Contact, "referred_by", "people they referred to us", move=_move_referrals),
    # Records merged into the duplicate earlier now lead to the survivor.
    seams.MergeRule(Contact, "merged_into", None),
    seams.MergeRule(
        Acquaintance, "from_contact", "knows links", move=_move_knows, foresee=_foresee_knows
    ),
    seams.MergeRule(Acquaintance, "to_contact", None),  # the other direction, after the first
    seams.MergeRule(TouchPlan, "contact", "touch plan", move=_move_plan, foresee=_foresee_plan),
    seams.MergeRule(
        FollowUp,
        "contact",
        "follow-ups",
        move=_move_follow_ups,
        foresee=_foresee_follow_ups,
    ),
    seams.MergeRule(Touch, "contact", "touches"),
    seams.MergeRule(Touch, "introduced_to", "introductions made to them"),
    seams.MergeRule(Promise, "contact", "promises"),
    seams.MergeRule(ContactEvent, "contact", "history events"),
    seams.MergeRule(
        Referral,
        "person",
        "referrals about them",
        move=_move_referrals_about,
        foresee=_foresee_referrals_about,
    ),
    seams.MergeRule(Referral, "from_person", "referrals they gave us"),
    seams.MergeRule(Referral, "to_person", "referrals we gave them"),
    seams.MergeRule(
        Alliance, "contact", "alliance", move=merge_alliances, foresee=foresee_alliances
    ),
    seams.MergeRule(Exchange, "partner", "exchange lunches with them"),
)


@dataclass(frozen=True)
class Relation:
    """A column pointing at a person, and the rule its rows follow in a merge."""

    model: type
    field: str
    rule: seams.MergeRule | None

    @property
    def label(self):
        if self.rule is not None:
            return self.rule.label
        meta = self.model._meta
        return f"{meta.verbose_name_plural} ({meta.get_field(self.field).verbose_name})"

    def move(self, *, survivor, duplicate, by):
        """Move the rows; returns what a rule decided, as sentences."""
        if self.rule is not None and self.rule.move is not None:
            return list(self.rule.move(survivor=survivor, duplicate=duplicate, by=by))
        stuck = _move_rows(self.model, self.field, survivor=survivor, duplicate=duplicate)
        if stuck:
            return [f"{stuck} of the {self.label} could not move and stay with the merged record."]
        return []

    def foresee(self, *, survivor, duplicate):
        if self.rule is None or self.rule.foresee is None:
            return []
        return list(self.rule.foresee(survivor=survivor, duplicate=duplicate))

    def count(self, person):
        return self.model._base_manager.filter(**{self.field: person}).count()


def relations():
    """Every column pointing at a person with its rule, in the order a merge moves them:
    cultivation's rules first, as listed, then the layers above's, then the rest."""
    rules = {(rule.model, rule.field): rule for rule in OWN_RULES}
    rules.update(seams.merge_rules())
    order = list(rules)

    def position(relation):
        key = (relation.model, relation.field)
        place = order.index(key) if key in rules else len(order)
        return (place, relation.model._meta.label, relation.field)

    found = [
        Relation(model, field.name, rules.get((model, field.name)))
        for model, field in person_relations()
    ]
    return sorted(found, key=position)


# The survivor's details -----------------------------------------------------------------


def _appended(mine, theirs):
    theirs = theirs.strip()
    if not theirs or theirs in mine:
        return mine
    return f"{mine.rstrip()}\n\n{theirs}" if mine.strip() else theirs


def _needs(mine, theirs):
    listed = {line.strip().casefold() for line in mine.splitlines()}
    new = []
    for line in theirs.splitlines():
        if line.strip() and line.strip().casefold() not in listed:
            listed.add(line.strip().casefold())
            new.append(line.strip())
    if not new:
        return mine
    return "\n".join([mine.rstrip("\n"), *new]) if mine.strip() else "\n".join(new)


def _referred_by(survivor, duplicate):
    """Who referred the survivor: its own referrer, else the duplicate's; never either record."""
    records = (survivor.pk, duplicate.pk)
    mine = survivor.referred_by if survivor.referred_by_id not in records else None
    theirs = duplicate.referred_by if duplicate.referred_by_id not in records else None
    return mine or theirs


def _consent(survivor, duplicate):
    """The consent fields the survivor takes: the latest decision of either record stands."""
    withdrawn = dict(
        ContactEvent.objects.filter(contact__in=[survivor, duplicate], action=Action.OPTED_OUT)
        .values("contact")
        .annotate(last=Max("at"))
        .values_list("contact", "last")
    )
    if duplicate.has_opted_in and not survivor.has_opted_in:
        since = withdrawn.get(survivor.pk)
        if since is None or since < duplicate.opted_in_at:
            return {
                "has_opted_in": True,
                "opted_in_at": duplicate.opted_in_at,
                "opt_in_how": duplicate.opt_in_how,
            }
    if survivor.has_opted_in and not duplicate.has_opted_in:
        since = withdrawn.get(duplicate.pk)
        if since is not None and since > survivor.opted_in_at:
            return {"has_opted_in": False, "opted_in_at": None, "opt_in_how": ""}
    return {}


def _stop(survivor, duplicate):
    stops = [p.asked_to_stop_at for p in (survivor, duplicate) if p.asked_to_stop_at]
    earliest = min(stops, default=None)
    return {} if earliest == survivor.asked_to_stop_at else {"asked_to_stop_at": earliest}


def survivor_details(survivor, duplicate):
    """{field: value} of the survivor's details that change with the merge."""
    changes = {
        name: getattr(duplicate, name)
        for name in FILLED
        if not getattr(survivor, name) and getattr(duplicate, name)
    }
    for name in APPENDED:
        changes[name] = _appended(getattr(survivor, name), getattr(duplicate, name))
    changes["needs"] = _needs(survivor.needs, duplicate.needs)
    changes["referred_by"] = _referred_by(survivor, duplicate)
    changes["referred_by_colleague"] = (
        survivor.referred_by_colleague or duplicate.referred_by_colleague
    )
    changes.update(_consent(survivor, duplicate))
    changes.update(_stop(survivor, duplicate))
    return {name: value for name, value in changes.items() if getattr(survivor, name) != value}


def _history(survivor, changes, duplicate=None):
    """History entries of the survivor's changed details; first, when merging, which record
    became it (a timeline shows a row's changes)."""
    entries = [
        field_change(Contact, name, getattr(survivor, name), value)
        for name, value in changes.items()
    ]
    if duplicate is None:
        return entries
    record = {
        "field": "merged_into",
        "label": "record",
        "from": f"{duplicate.name} (#{duplicate.pk})",
        "to": f"{survivor.name} (#{survivor.pk})",
    }
    return [record, *entries]


# The merge ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergePreview:
    """What merging `duplicate` into `survivor` will do, for the confirmation page."""

    survivor: Contact
    duplicate: Contact
    moves: list  # (label, rows) of each relation with rows to move
    decisions: list  # sentences: how the clash rules will decide
    changes: list  # the survivor's details that change, as history entries

    @property
    def total(self):
        return sum(rows for _, rows in self.moves)


@dataclass(frozen=True)
class Merged:
    """A merge done: the survivor, the merged record, what moved and what the rules decided."""

    survivor: Contact
    duplicate: Contact
    duplicate_name: str
    moves: list
    decisions: list

    @property
    def total(self):
        return sum(rows for _, rows in self.moves)


def merge_refusal(survivor, duplicate):
    """Why these two records cannot be merged (whoever asks), or None."""
    if survivor.pk == duplicate.pk:
        return f"{survivor.name} is one record: choose two records of the same person to merge."
    for record in (duplicate, survivor):
        if record.merged_into_id is not None:
            return (
                f"Record #{record.pk} was already merged into #{record.merged_into_id} on "
                f"{timezone.localdate(record.merged_at):%-d %b %Y}: nothing changed."
            )
        if record.is_erased:
            return (
                f"Contact #{record.pk} was erased: an erased person is no one any more and "
                "cannot be merged."
            )
    return None


def _counts(rels, duplicate):
    counts = ((relation.label, relation.count(duplicate)) for relation in rels if relation.label)
    return [(label, rows) for label, rows in counts if rows]


def merge_preview(*, survivor, duplicate):
    """What `contact_merge` would do, read only: the rows that move, the rules' decisions,
    the survivor's details that change. A fixed number of queries (one per relation)."""
    rels = relations()
    changes = survivor_details(survivor, duplicate)
    return MergePreview(
        survivor=survivor,
        duplicate=duplicate,
        moves=_counts(rels, duplicate),
        decisions=[s for r in rels for s in r.foresee(survivor=survivor, duplicate=duplicate)],
        changes=_history(survivor, changes),
    )


def _lock(survivor, duplicate):
    people = Contact.objects.select_for_update(of=("self",)).select_related(
        "organisation", "owner", "referred_by", "referred_by_colleague"
    )
    locked = {
        person.pk: person
        for person in people.filter(pk__in=[survivor.pk, duplicate.pk]).order_by("pk")
    }
    return locked[survivor.pk], locked[duplicate.pk]


def _apply_stop(survivor, by):
    plans.end_live_plan(survivor, by=by, reason=STOPPED)
    follow_ups.follow_up_close(contact=survivor, by=by, note=STOPPED)
    survivor.promises.open().update(released_at=timezone.now(), release_reason=STOPPED)


def _retire(duplicate, survivor, now):
    """The duplicate becomes a record that leads to the survivor, with nothing personal."""
    texts = [
        field.name
        for field in Contact._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
    ]
    Contact.objects.filter(pk=duplicate.pk).update(
        **{
            **dict.fromkeys(texts, ""),
            "name": f"Merged into #{survivor.pk}",
            "organisation": None,
            "owner": None,
            "referred_by": None,
            "referred_by_colleague": None,
            "has_opted_in": False,
            "opted_in_at": None,
            "merged_into": survivor,
            "merged_at": now,
        }
    )


def _note(name, pk, moves, decisions):
    moved = ", ".join(f"{rows} {label}" for label, rows in moves) or "nothing to move"
    return " ".join([f"Merged with {name} (#{pk}), a duplicate record: {moved}.", *decisions])


@transaction.atomic
def contact_merge(*, survivor, duplicate, by):
    """Merge `duplicate` into `survivor`, two records of one person: the owner of both (anyone
    for records nobody owns) or a manager. Every row about the duplicate moves to the
    survivor, clashes settled by the rules above; the duplicate stays only to lead to the
    survivor; one MERGED event on the survivor names both. Refused for one record, an
    erased one, or one already merged."""
    survivor, duplicate = _lock(survivor, duplicate)
    refusal = merge_refusal(survivor, duplicate)
    if refusal:
        raise RuleViolation(refusal)
    policy.require(
        policy.can_merge(by, survivor, duplicate), policy.merge_refusal(survivor, duplicate)
    )
    now, name = timezone.now(), duplicate.name
    changes = survivor_details(survivor, duplicate)
    rels = relations()
    moves = _counts(rels, duplicate)
    decisions = [s for r in rels for s in r.move(survivor=survivor, duplicate=duplicate, by=by)]
    history = _history(survivor, changes, duplicate)
    for field, value in changes.items():
        setattr(survivor, field, value)
    survivor.save(update_fields=list(changes))
    if "asked_to_stop_at" in changes:
        _apply_stop(survivor, by)
    if survivor.asked_to_stop_at:  # as touch_log's stop: no alliance, whichever record had it
        end_live_alliance(survivor, by=by, reason=ASKED_TO_STOP)
    elif Alliance.objects.live().filter(contact=survivor).exists():
        # One lunch: the exchange lunch booked with them, whichever record had the plan.
        plans.plan_lunch_drop(survivor, by=by)
    _retire(duplicate, survivor, now)
    ContactEvent.objects.create(
        contact=survivor,
        action=Action.MERGED,
        at=now,
        by=by,
        note=_note(name, duplicate.pk, moves, decisions),
        changes=history,
    )
    transaction.on_commit(
        lambda: logger.info(
            "Contact #%s merged into #%s by user #%s", duplicate.pk, survivor.pk, by.pk
        )
    )
    duplicate.refresh_from_db()
    return Merged(survivor, duplicate, name, moves, decisions)
