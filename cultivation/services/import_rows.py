"""Judging an import's rows: the same for the preview and the import (services/importing.py).

Each row is checked by the person form's rules, compared with the rows before it in the
file, and matched with the people we have, a chunk at a time in a fixed number of
queries.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from convivio.errors import RuleViolation

from ..models import (
    Contact,
    ErasedIdentity,
    Organisation,
)
from ..models.people import linkedin_match_key, name_match_key
from ..models.privacy import ERASED_EMAIL_REFUSAL, email_hash, normalise_email
from .people import person_details_checked


@dataclass
class Verdict:
    """What the import makes of one row: `group` is "new", "matched", "duplicates_in_file"
    or "errors"; `match` the person we have (for "matched"); `details` the row's tidied
    details; `sentence` why it is an error or a duplicate; `keys` its matching keys."""

    row: object
    group: str
    details: dict = field(default_factory=dict)
    match: Contact | None = None
    reason: str = ""
    sentence: str = ""
    keys: list = field(default_factory=list)


class Seen:
    """The keys of the rows read so far, to find duplicates within the file."""

    def __init__(self):
        self.keys = {}

    def first(self, keys):
        """The row number of an earlier row with one of `keys`, or None (then remembered)."""
        for key in keys:
            if key in self.keys:
                return self.keys[key]
        return None

    def remember(self, keys, number):
        for key in keys:
            self.keys.setdefault(key, number)


def _details(row):
    """A row's person details. A person keeps one email and one phone: the file's others,
    and its notes, join "how we know them" rather than being lost."""
    lines = [row.how_we_know_them]
    if row.connected_on and "Connected on" not in row.how_we_know_them:
        lines.append(f"Connected on {row.connected_on:%-d %b %Y}.")
    if row.other_emails:
        lines.append(f"Other emails: {', '.join(row.other_emails)}.")
    if row.other_phones:
        lines.append(f"Other phones: {', '.join(row.other_phones)}.")
    lines.append(row.notes)
    how = "\n".join(line for line in lines if line)
    return person_details_checked(
        dict(
            name=row.name,
            role=row.role,
            email=row.email,
            phone=row.phone,
            linkedin_url=row.linkedin_url,
            how_we_know_them=how,
            what_makes_them_tick=row.what_makes_them_tick,
            needs=row.needs,
        )
    )


def _keys(details, organisation):
    keys = []
    if email := normalise_email(details["email"]):
        keys.append(("email", email))
    if linkedin := linkedin_match_key(details["linkedin_url"]):
        keys.append(("linkedin", linkedin))
    keys.append(("name", name_match_key(details["name"]), organisation.strip().lower()))
    return keys


def _asked_to_stop(at):
    # An import writes no "asked to stop" touch: imported, they would be reminded about
    # and emailed again. A person adds them by hand if the firm must hold them.
    on = timezone.localtime(at)
    return f"asked us to stop on {on:%-d %b %Y}: not imported, so nobody contacts them again"


def judge_alone(row, seen):
    """A row's verdict from the row alone: an error, a duplicate, or to be matched."""
    if row.errors:  # a reader's sentence may quote a cell: no NUL in what is kept
        return Verdict(row, "errors", sentence="; ".join(row.errors).replace("\x00", ""))
    if row.asked_to_stop_at:
        return Verdict(row, "errors", sentence=_asked_to_stop(row.asked_to_stop_at))
    try:
        details = _details(row)
    except RuleViolation as error:
        return Verdict(row, "errors", sentence=str(error))
    if "\x00" in row.organisation:
        return Verdict(
            row, "errors", sentence="Text cannot contain a NUL character: type it again."
        )
    if len(row.organisation) > Organisation._meta.get_field("name").max_length:
        return Verdict(row, "errors", sentence="The organisation's name is too long.")
    keys = _keys(details, row.organisation)
    earlier = seen.first(keys)
    if earlier is not None:
        return Verdict(
            row, "duplicates_in_file", details, sentence=f"the same person as row {earlier}"
        )
    seen.remember(keys, row.number)
    return Verdict(row, "new", details, keys=keys)


def judge_chunk(rows, seen):
    """Verdicts for a chunk of rows: a fixed number of queries (erasures, organisations,
    people we have), whatever the chunk's size."""
    verdicts = [judge_alone(row, seen) for row in rows]
    candidates = [verdict for verdict in verdicts if verdict.group == "new"]
    erased = _erased_hashes(verdict.details["email"] for verdict in candidates)
    for verdict in candidates:
        if verdict.details["email"] and email_hash(verdict.details["email"]) in erased:
            verdict.group, verdict.sentence = "errors", ERASED_EMAIL_REFUSAL
    candidates = [verdict for verdict in candidates if verdict.group == "new"]
    organisations = organisation_ids(verdict.row.organisation for verdict in candidates)
    _match(candidates, organisations)
    return verdicts, organisations


def _erased_hashes(emails):
    hashes = {email_hash(email) for email in emails if email}
    if not hashes:
        return set()
    return set(
        ErasedIdentity.objects.filter(email_hash__in=hashes).values_list("email_hash", flat=True)
    )


def organisation_ids(names):
    """{lower-case name: organisation id} of the organisations named that exist."""
    wanted = {name.strip().lower() for name in names if name.strip()}
    if not wanted:
        return {}
    found = (
        Organisation.objects.annotate(lower=Lower("name"))
        .filter(lower__in=wanted)
        .values_list("lower", "pk")
    )
    return dict(found)


def _match(verdicts, organisations):
    """Find the people we have for `verdicts` in one query: the same email (any case), the
    same LinkedIn profile, then the same name at the same organisation (matching.py's
    rules), lowest id first."""
    if not verdicts:
        return
    by_email, by_linkedin, by_name = _people_we_have(verdicts)
    for verdict in verdicts:
        keys = {key[0]: key[1] for key in verdict.keys}
        organisation = verdict.row.organisation.strip().lower()
        found = [
            (by_email.get(keys.get("email")), "same email"),
            (by_linkedin.get(keys.get("linkedin")), "same LinkedIn profile"),
        ]
        if not organisation or organisation in organisations:
            key = (keys["name"], organisations.get(organisation))
            found.append((by_name.get(key), "same name and organisation"))
        match, reason = next(((p, r) for p, r in found if p is not None), (None, ""))
        if match is not None:
            verdict.group, verdict.match, verdict.reason = "matched", match, reason


def _people_we_have(verdicts):
    """The living people sharing a key with `verdicts`, by email, LinkedIn key and (name
    key, organisation id)."""
    keys = [dict((key[0], key[1]) for key in v.keys) for v in verdicts]
    emails = {k["email"] for k in keys if "email" in k}
    linkedins = {k["linkedin"] for k in keys if "linkedin" in k}
    names = {k["name"] for k in keys}
    people = (
        Contact.objects.active()
        .alias(email_lower=Lower("email"))
        .filter(Q(email_lower__in=emails) | Q(linkedin_key__in=linkedins) | Q(name_key__in=names))
        .select_related("organisation")
        .order_by("-pk")
    )
    by_email, by_linkedin, by_name = {}, {}, {}
    for person in people:  # lowest id last, so it wins
        if person.email:
            by_email[normalise_email(person.email)] = person
        if person.linkedin_key:
            by_linkedin[person.linkedin_key] = person
        by_name[(person.name_key, person.organisation_id)] = person
    return by_email, by_linkedin, by_name
