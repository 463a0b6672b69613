"""Finding people who may be the same person: the same email, LinkedIn profile, or name.

`possible_duplicates` answers the person forms ("this may be someone we have"): it
warns, it never refuses. `duplicate_groups` lists the groups of people that share a
key, for the "Possible duplicates" page. Both read the indexed matching columns
(Lower(email), `linkedin_key`, `name_key` with `organisation`), so they answer
quickly whatever the number of people, in a fixed number of queries.

Erased and merged people never match: they are no one any more.
"""

from dataclasses import dataclass

from django.db.models import Case, CharField, Count, IntegerField, Q, Value, When
from django.db.models.functions import Lower

from .models import Contact
from .models.people import linkedin_match_key, name_match_key

SAME_EMAIL = "same email"
SAME_LINKEDIN = "same LinkedIn profile"
SAME_NAME_AT_ORGANISATION = "same name at the same organisation"
SAME_NAME_NO_ORGANISATION = "same name, neither at an organisation"


@dataclass(frozen=True)
class Match:
    """Someone who may be the same person, and why (`reason`, a phrase a person reads)."""

    contact: Contact
    reason: str


def _normalised_email(email):
    return (email or "").strip().lower()


def _conditions(*, name, organisation, email, linkedin_url):
    """(condition, reason) for each key given, strongest first; blank keys match nobody."""
    conditions = []
    if email := _normalised_email(email):
        conditions.append((Q(email_lower=email), SAME_EMAIL))
    if linkedin := linkedin_match_key(linkedin_url):
        conditions.append((Q(linkedin_key=linkedin), SAME_LINKEDIN))
    if name_key := name_match_key(name):
        if organisation is None:
            same_name = Q(name_key=name_key, organisation__isnull=True)
            conditions.append((same_name, SAME_NAME_NO_ORGANISATION))
        else:
            same_name = Q(name_key=name_key, organisation=organisation)
            conditions.append((same_name, SAME_NAME_AT_ORGANISATION))
    return conditions


def matches_query(*, name="", organisation=None, email="", linkedin_url=""):
    """The people `possible_duplicates` reads, each annotated with `match_reason`, strongest
    match first; None when nothing is given to match on. One indexed query."""
    conditions = _conditions(
        name=name, organisation=organisation, email=email, linkedin_url=linkedin_url
    )
    if not conditions:
        return None
    either = Q()
    for condition, _ in conditions:
        either |= condition
    strength = Case(
        *(When(condition, then=Value(rank)) for rank, (condition, _) in enumerate(conditions)),
        output_field=IntegerField(),
    )
    reason = Case(
        *(When(condition, then=Value(reason)) for condition, reason in conditions),
        output_field=CharField(),
    )
    return (
        Contact.objects.active()
        .alias(email_lower=Lower("email"), match_rank=strength)
        .filter(either)
        .annotate(match_reason=reason)
        .select_related("organisation", "owner")
        .order_by("match_rank", "pk")
    )


def possible_duplicates(
    *, name="", organisation=None, email="", linkedin_url="", exclude=None, limit=5
):
    """The people who may be the person described, strongest match first, at most `limit`.

    The same email (any case), the same LinkedIn profile, or the same name (case,
    accents, spaces and punctuation ignored) at the same organisation (with no
    organisation given: someone of that name at no organisation). `exclude` is the
    person being edited (a Contact or an id). One query, none when nothing is given.
    """
    people = matches_query(
        name=name, organisation=organisation, email=email, linkedin_url=linkedin_url
    )
    if people is None or limit <= 0:
        return []
    if exclude is not None:
        people = people.exclude(pk=getattr(exclude, "pk", exclude))
    return [Match(person, person.match_reason) for person in people[:limit]]


# The "Possible duplicates" page: groups of people sharing a key ----------------------


@dataclass(frozen=True)
class DuplicateKind:
    """One way people can look the same: `slug` in the page's address, `reason` shown."""

    slug: str
    reason: str
    label: str


BY_EMAIL = DuplicateKind("email", SAME_EMAIL, "Same email")
BY_LINKEDIN = DuplicateKind("linkedin", SAME_LINKEDIN, "Same LinkedIn profile")
BY_NAME = DuplicateKind("name", SAME_NAME_AT_ORGANISATION, "Same name and organisation")
DUPLICATE_KINDS = (BY_EMAIL, BY_LINKEDIN, BY_NAME)


def duplicate_kind(slug):
    """The kind named `slug` in an address; the first (same email) for anything else."""
    return next((kind for kind in DUPLICATE_KINDS if kind.slug == slug), DUPLICATE_KINDS[0])


def _keyed(kind):
    """Records with `kind`'s key set, and the columns a group shares (`key` for the email's).

    Erasure and merging blank a record's email and keys, so a set key is a living
    person's: the GROUP BY needs no other filter and reads only the key's index.
    """
    if kind is BY_EMAIL:
        return Contact.objects.annotate(key=Lower("email")).exclude(key=""), ("key",)
    if kind is BY_LINKEDIN:
        return Contact.objects.exclude(linkedin_key=""), ("linkedin_key",)
    return Contact.objects.exclude(name_key=""), ("name_key", "organisation_id")


def duplicate_keys(kind):
    """The keys two or more people share, one row per group ({its columns..., size}), in key
    order: a GROUP BY on the indexed key, for a paginator to slice."""
    people, columns = _keyed(kind)
    return people.values(*columns).annotate(size=Count("pk")).filter(size__gt=1).order_by(*columns)


@dataclass(frozen=True)
class DuplicateGroup:
    """People who share one key. The oldest record is offered as the one to keep."""

    kind: DuplicateKind
    members: list

    @property
    def pairs(self):
        """(keep, merge) for each later record: merging each into the oldest leaves one."""
        first, *others = self.members
        return [(first, other) for other in others]


def duplicate_groups(kind, keys):
    """The people of each group in `keys` (rows of `duplicate_keys`), in one query."""
    keys = list(keys)
    if not keys:
        return []
    people, columns = _keyed(kind)
    wanted = Q()
    for row in keys:
        wanted |= Q(**{column: row[column] for column in columns})
    members = {}
    found_people = people.filter(wanted).active().select_related("organisation", "owner")
    for person in found_people.order_by("pk"):
        found = tuple(getattr(person, column) for column in columns)
        members.setdefault(found, []).append(person)
    groups = (members.get(tuple(row[column] for column in columns), []) for row in keys)
    return [DuplicateGroup(kind, found) for found in groups if len(found) > 1]
