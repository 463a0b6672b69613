"""One person as read from a file, in Convivio's own words, whatever tool exported it.

The readers (LinkedIn, Google, Outlook, Contactually, vCard, any CSV or spreadsheet
through a column mapping) each turn their rows into `PersonRow`s; the import service
(preview, matching, writing in chunks, undo) reads only these. Neither side knows the
other's details.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from convivio.errors import RuleViolation


class FileRefused(RuleViolation):
    """The whole file cannot be imported ("This file is empty.", "This looks like a
    picture, not a list of people."): nothing is written. The sentence is for a person."""


# The fields a column can be mapped to, with the words the mapping screen shows.
FIELDS = {
    "name": "Full name",
    "first_name": "First name",
    "middle_name": "Middle name",
    "last_name": "Last name",
    "email": "Email",
    "phone": "Phone",
    "organisation": "Organisation",
    "role": "Role or job title",
    "linkedin_url": "LinkedIn profile",
    "how_we_know_them": "How we know them",
    "what_makes_them_tick": "What makes them tick",
    "needs": "Needs we have heard",
    "connected_on": "Connected on",
    "last_contacted": "Last contacted",
    "tags": "Tags or labels",
    "bucket": "Bucket (Contactually)",
    "opted_in": "Opted in to email",
    "opted_in_at": "Opted in on",
    "opt_in_how": "How they opted in",
    "asked_to_stop_at": "Asked us to stop on",
    "notes": "Notes",
    "": "Leave out",
}


@dataclass
class PersonRow:
    """A person read from a file.

    `number` is where the user finds the row in their file: the row number a
    spreadsheet shows (header and any preamble lines counted) for CSV and .xlsx, the
    card's position (1 for the first) for vCard. `errors` are sentences without the
    row number ("no name and no email"); a row with errors is not imported.

    Text is trimmed, never None. Emails and phones keep the file's order: the first is
    the person's email/phone, the rest are kept in `other_emails`/`other_phones`.
    `opted_in` is None unless a consent column was mapped: nobody is opted in by default.
    `opted_in_at` and `opt_in_how` are when and how they consented, if the file says
    (Convivio's own export does); they count only with `opted_in`.
    """

    number: int
    name: str = ""
    email: str = ""
    other_emails: list[str] = field(default_factory=list)
    phone: str = ""
    other_phones: list[str] = field(default_factory=list)
    organisation: str = ""
    role: str = ""
    linkedin_url: str = ""
    how_we_know_them: str = ""
    what_makes_them_tick: str = ""
    needs: str = ""
    notes: str = ""
    connected_on: date | None = None
    last_contacted: date | None = None
    tags: list[str] = field(default_factory=list)
    buckets: list[str] = field(default_factory=list)
    opted_in: bool | None = None
    opted_in_at: datetime | None = None
    opt_in_how: str = ""
    asked_to_stop_at: datetime | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors
