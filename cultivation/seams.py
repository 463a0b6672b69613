"""Where cultivation meets the layer above: every fact it needs from there, named once.

Cultivation is the lower layer and imports nothing from above (tests/test_layers.py
fails if its code even names that layer). The board's app knows cards; when a
page here needs a card fact, that app provides it from its `AppConfig.ready()`:

    seams.provide_cards_of(fn)          # fn(contact) -> the cards the person is on
    seams.provide_people_on_cards(fn)   # fn(stage=...) -> [(primary person, card priority)]
    seams.provide_promise_subject(PromiseSubject(...))   # a promise made about a card
    seams.provide_cards_at(fn)          # fn(organisation) -> the cards for an organisation
    seams.provide_open_cards_of(fn)     # fn(contact) -> the open cards the person is on
    seams.provide_lose_card(fn)         # fn(card, by=, reason=) moves a card to Lost
    seams.provide_merge_rule(MergeRule(...))  # how its rows about a person follow a merge
    seams.provide_referral_card(ReferralCard(...))  # the card a referral led to
    seams.provide_research_card(fn)     # fn(referral=, by=) opens a Research card for a name

Asking for a fact nobody provides raises `SeamNotConnected`, which says what is
missing, instead of quietly answering nothing. The right of access and the
right to erasure have their own registry, in services/privacy.py.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


class SeamNotConnected(ImproperlyConfigured):
    """Cultivation asked the layer above for something it has not registered."""


@dataclass(frozen=True)
class PromiseSubject:
    """Something of the layer above that a promise can be made about (a card).

    `param` names the query parameter that presets its id and `field` the
    hidden form field that carries it; `label` is how a sentence names it
    ("card"); `find(pk)` returns it or None; `link(promise=..., subject=...)`
    records, inside the promise's transaction, that the promise was about it.
    """

    param: str
    field: str
    label: str
    find: Callable
    link: Callable


_providers = {}


def _provide(name, value):
    _providers[name] = value


def _provided(name):
    try:
        return _providers[name]
    except KeyError:
        raise SeamNotConnected(
            f"Nothing provides {name!r} to cultivation: the app that holds it registers it "
            f"in its AppConfig.ready() with cultivation.seams.provide_{name}()."
        ) from None


def provide_cards_of(provider):
    """`provider(contact)` returns the cards a person is on, newest link first."""
    _provide("cards_of", provider)


def cards_of(contact):
    """The cards a person is on, for their page."""
    return list(_provided("cards_of")(contact))


def provide_people_on_cards(provider):
    """`provider(stage=...)` returns (person, card priority) for each card's primary person."""
    _provide("people_on_cards", provider)


def people_on_cards(*, stage):
    """(person, card priority) for the primary person of each card in `stage`."""
    return list(_provided("people_on_cards")(stage=stage))


def provide_promise_subject(subject):
    """What a promise may be made about, as a `PromiseSubject`."""
    _provide("promise_subject", subject)


def promise_subject():
    """The `PromiseSubject` a promise may be made about, or None if no layer offers one."""
    return _providers.get("promise_subject")


def promise_made_about(*, promise, subject):
    """Record, through the layer above, that `promise` was made about `subject`."""
    _provided("promise_subject").link(promise=promise, subject=subject)


def provide_cards_at(provider):
    """`provider(organisation)` returns the cards for an organisation, open ones first."""
    _provide("cards_at", provider)


def cards_at(organisation):
    """The cards for an organisation, for its page."""
    return list(_provided("cards_at")(organisation))


def provide_open_cards_of(provider):
    """`provider(contact)` returns the cards not yet won or lost that a person is on."""
    _provide("open_cards_of", provider)


def open_cards_of(contact):
    """The open cards a person is on: what "asked us to stop" offers to close."""
    return list(_provided("open_cards_of")(contact))


def provide_lose_card(provider):
    """`provider(card, by=..., reason=...)` moves a card to Lost by the layer above's rules,
    raising `RuleViolation` (or `PermissionRefused`) with a sentence when it may not."""
    _provide("lose_card", provider)


def lose_card(card, *, by, reason):
    """Move `card` to Lost with `reason`, through the layer above's own service."""
    _provided("lose_card")(card, by=by, reason=reason)


@dataclass(frozen=True)
class MergeRule:
    """How the rows of one column that points at a person follow a merge (services/merge.py).

    `model` and `field` name the column; `label` is how the merge's confirmation counts
    its rows ("cards they are on"; None: not counted, another rule covers it). With no
    `move`, every row simply moves to the survivor. Where rows could clash (the
    survivor has one already), `move(survivor=..., duplicate=..., by=...)` settles
    the clash by a stated rule, moves the rows itself, inside the merge's
    transaction, and returns what it decided as sentences; `foresee(survivor=...,
    duplicate=...)` says the same beforehand, for the confirmation page.
    """

    model: type
    field: str
    label: str | None
    move: Callable | None = None
    foresee: Callable | None = None


_merge_rules = {}


def provide_merge_rule(rule):
    """Register how a layer's column pointing at a person follows a merge."""
    _merge_rules[(rule.model, rule.field)] = rule


def merge_rules():
    """The registered `MergeRule`s by (model, field). A column with none simply moves."""
    return dict(_merge_rules)


@dataclass(frozen=True)
class ReferralCard:
    """The card a referral led to, kept by the layer above (the referral has no column for it).

    `find(pk)` returns the card or None; `link(referral=..., card=...)` records, inside
    the outcome's transaction, that the referral led to it; `of(referrals)` returns
    {referral pk: card} for a page, in one query.
    """

    find: Callable
    link: Callable
    of: Callable


def provide_referral_card(card):
    """What a referral's outcome may name as the card it led to, as a `ReferralCard`."""
    _provide("referral_card", card)


def referral_card():
    """The `ReferralCard` of the layer above, or None if no layer offers one."""
    return _providers.get("referral_card")


def referral_led_to(*, referral, card):
    """Record, through the layer above, that `referral` led to `card`."""
    _provided("referral_card").link(referral=referral, card=card)


def cards_of_referrals(referrals):
    """{referral pk: card} for the referrals that led to one; empty if no layer offers cards."""
    provider = _providers.get("referral_card")
    return provider.of(referrals) if provider is not None else {}


def provide_research_card(provider):
    """`provider(referral=..., by=...)` opens a Research card for a referred person, owned
    by `by`, with the referral as where it came from (the card's own rules apply)."""
    _provide("research_card", provider)


def open_research_card(*, referral, by):
    """A Research card for the person `referral` is about, through the layer above."""
    return _provided("research_card")(referral=referral, by=by)
