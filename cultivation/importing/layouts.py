"""The files other tools export, recognised by their header.

Each layout names the columns it must have (normalised, see mapping.normalise) and
the columns whose meaning differs from what their name suggests elsewhere (Outlook's
"Title" is "Mr." or "Dr.", not a job title). Every other column is read by the shared
synonyms, so a layout's optional columns need no list of their own.
"""

import re
from dataclasses import dataclass, field

from .mapping import field_for_header, normalise


@dataclass(frozen=True)
class Layout:
    key: str
    label: str
    # Each entry: a set of normalised names of which the header must hold at least one.
    requires: tuple[frozenset[str], ...]
    # normalised header -> FIELDS key, before the synonyms.
    fields: dict[str, str] = field(default_factory=dict)
    # Pattern of normalised headers to leave out, before the synonyms.
    leave_out: str = ""
    # Slashed dates: "mdy" (3/14/2024, American tools) or "dmy" (14/03/2024).
    date_order: str = "dmy"
    # Convivio's own export: cells escaped against formulas are read back unescaped.
    is_own_export: bool = False

    def matches(self, normalised_headers):
        return all(names & normalised_headers for names in self.requires)

    def mapping(self, headers):
        leave_out = re.compile(self.leave_out) if self.leave_out else None
        mapping = {}
        for header in headers:
            key = normalise(header)
            if key in self.fields:
                mapping[header] = self.fields[key]
            elif leave_out and leave_out.fullmatch(key):
                mapping[header] = ""
            else:
                mapping[header] = field_for_header(header)
        return mapping


def _names(*names):
    return frozenset(names)


LINKEDIN = Layout(
    key="linkedin",
    label="LinkedIn connections",
    requires=tuple(
        _names(name)
        for name in (
            "firstname",
            "lastname",
            "url",
            "emailaddress",
            "company",
            "position",
            "connectedon",
        )
    ),
    fields={"url": "linkedin_url", "position": "role", "connectedon": "connected_on"},
)

GOOGLE = Layout(
    key="google",
    label="Google Contacts",
    requires=(
        _names("firstname", "givenname"),
        _names("email1value"),
        _names("labels", "groupmembership", "organizationname", "organization1name"),
    ),
    fields={
        "name": "name",
        "additionalname": "middle_name",
        "organizationname": "organisation",
        "organization1name": "organisation",
        "organization2name": "organisation",
        "organizationtitle": "role",
        "organization1title": "role",
        "organization2title": "role",
        "labels": "tags",
        "groupmembership": "tags",
    },
    # Websites are read for LinkedIn profiles only; other URLs are left out row by row.
    leave_out=r"(phonetic|yomi|nickname|filesas|fileas|nameprefix|namesuffix|initials).*"
    r"|.*(label|type)|birthday|gender|photo|organizationdepartment|organization\d*department"
    r"|address\d*.*|relation.*|event.*|im\d*.*|customfield.*|location|maidenname|priority"
    r"|sensitivity|billinginformation|directoryserver|mileage|occupation|hobby|subject"
    r"|language|shortname",
    date_order="mdy",
)
GOOGLE.fields.update({f"website{n}value": "linkedin_url" for n in range(1, 6)})

OUTLOOK = Layout(
    key="outlook",
    label="Outlook contacts",
    requires=(
        _names("emailaddress"),
        _names("email2address"),
        _names("businessphone", "mobilephone", "homephone"),
        _names("jobtitle"),
    ),
    fields={
        "title": "",
        "suffix": "",
        "company": "organisation",
        "jobtitle": "role",
        "categories": "tags",
        "notes": "notes",
        "webpage": "linkedin_url",
    },
    leave_out=r".*(fax|displayname|type)|pager|telex|isdn|callback|assistant.*|radiophone"
    r"|ttytddphone|carphone|department|office.*|business(street|city|state|postalcode"
    r"|country|pobox).*|home(street|city|state|postalcode|country|pobox).*"
    r"|other(street|city|state|postalcode|country|pobox).*|birthday|anniversary|gender"
    r"|spouse|children|hobby|language|manager.*|mileage|priority|private|sensitivity"
    r"|user\d|location|initials|keywords|account|billinginformation|directoryserver"
    r"|governmentidnumber|internetfreebusy|organizationalidnumber|profession",
    date_order="mdy",
)

CONTACTUALLY = Layout(
    key="contactually",
    label="Contactually export",
    requires=(_names("bucket", "buckets"),),
    leave_out=r"(street|address|city|state|zip|zipcode|postalcode|postcode|country|region)"
    r"\d*.*|contactuallyid|id|createdat|updatedat|avatarurl",
    date_order="mdy",
)

CONVIVIO = Layout(
    key="convivio",
    label="Convivio export",
    # The columns no other tool writes: cultivation/exporting.py PEOPLE.
    requires=tuple(
        _names(name) for name in ("id", "whatmakesthemtick", "optedinat", "optinhow", "owner")
    ),
    fields={
        "name": "name",
        "email": "email",
        "phone": "phone",
        "organisation": "organisation",
        "role": "role",
        "linkedinurl": "linkedin_url",
        "howweknowthem": "how_we_know_them",
        "whatmakesthemtick": "what_makes_them_tick",
        "needs": "needs",
        # Joined with ", " by the export, and split on it again (columns.py).
        "tags": "tags",
        "optedin": "opted_in",
        "optedinat": "opted_in_at",
        "optinhow": "opt_in_how",
        # The other Convivio's ids mean nothing here.
        "id": "",
        "referredbyid": "",
        # The import's owner keeps the people: the file's owner is a username of the
        # Convivio it came from, who may not exist here or may not be the importer's to
        # give people to (docs/importing.md, "Round trip").
        "owner": "",
        # A referral links two people; the referrer may come later in the file, or be
        # another person of the same name. Left for a person to set again.
        "referredby": "",
        # A colleague of the firm the file came from, by username.
        "referredbycolleague": "",
        # Read only to keep them out: someone who asked us to stop is not imported
        # (services/import_rows.py), since the import would make them reachable again.
        "askedtostopat": "asked_to_stop_at",
        # When they were added there; here they are added now, by this import.
        "createdat": "",
    },
    date_order="dmy",
    is_own_export=True,
)

# No other layout's required columns are in Convivio's header, nor its in theirs.
LAYOUTS = {layout.key: layout for layout in (LINKEDIN, GOOGLE, OUTLOOK, CONTACTUALLY, CONVIVIO)}


def recognise(headers):
    """The layout whose header this is, or None."""
    normalised = {normalise(header) for header in headers}
    for layout in LAYOUTS.values():
        if layout.matches(normalised):
            return layout
    return None
