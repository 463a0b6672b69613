"""Which column of a file holds what: guessed from the header's words and sample values.

Header names are compared normalised (lower case, letters and digits only), so
"E-mail 1 - Value", "email_1_value" and "Email1Value" are the same name.
"""

import hashlib
import re

from .rows import FIELDS

# A name fully matching one of these patterns (normalised) is that field.
SYNONYMS = [
    ("name", r"name|fullname|displayname|contactname|contact|person|fn"),
    ("first_name", r"firstname|givenname|forename|first|fname|given"),
    ("middle_name", r"middlename|additionalname|middle|middlenames"),
    ("last_name", r"lastname|familyname|surname|last|lname|family"),
    (
        "email",
        r"e?mail|e?mailaddress(es)?|e?mail\d+(value|address)?|e?mailaddress\d+"
        r"|(primary|work|home|personal|other|business)e?mail(address)?\d*",
    ),
    (
        "phone",
        r"phone|telephone|tel|mobile|cell|phonenumber|mobilenumber|phone\d+(value|number)?"
        r"|(primary|work|home|business|mobile|cell|other|office|direct)phone\d*",
    ),
    (
        "organisation",
        r"company|companyname|organi[sz]ation|organi[sz]ation(\d+)?name|org|employer|firm"
        r"|account|accountname",
    ),
    (
        "role",
        r"jobtitle|position|role|title|organi[sz]ation(\d+)?title|occupation|designation"
        r"|job",
    ),
    ("linkedin_url", r"linkedin|linkedinurl|linkedinprofile|linkedinprofileurl|profileurl"),
    ("how_we_know_them", r"howweknowthem|howwemet|howmet|source|leadsource|referredby"),
    ("connected_on", r"connectedon|connected|dateconnected|connectiondate"),
    (
        "last_contacted",
        r"lastcontacted(at|on|date)?|lastcontact(date)?|lasttouch(ed)?|lastinteraction",
    ),
    ("tags", r"tags?|labels?|categories|category|groupmembership|groups?"),
    ("bucket", r"buckets?"),
    (
        "opted_in",
        r"optedin|optin|e?mailoptin|consent|e?mailconsent|marketingconsent|subscribed"
        r"|newsletter",
    ),
    ("notes", r"notes?|comments?|description|about|background"),
]
_SYNONYMS = [(field, re.compile(rf"(?:{pattern})")) for field, pattern in SYNONYMS]

# Fields whose columns are read as a name: at least one must be mapped.
NAME_FIELDS = frozenset({"name", "first_name", "last_name", "email"})

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LINKEDIN_RE = re.compile(r"linkedin\.com/(in|pub)/", re.IGNORECASE)
PHONE_RE = re.compile(r"^\+?[\d\s().\-/]{7,}$")


def normalise(header):
    return re.sub(r"[^0-9a-z]", "", header.casefold())


def header_signature(headers):
    """The same for two files whose headers differ only in case, spacing or punctuation."""
    joined = "\x1f".join(normalise(header) for header in headers)
    return hashlib.sha256(joined.encode()).hexdigest()[:32]


def field_for_header(header):
    key = normalise(header)
    for field, pattern in _SYNONYMS:
        if pattern.fullmatch(key):
            return field
    return ""


def field_for_values(values, *, looks_like_date):
    """A column whose sample values all look alike: emails, LinkedIn URLs, dates, phones."""
    values = [value.strip() for value in values if value and value.strip()]
    if not values:
        return ""
    if all(EMAIL_RE.match(value) for value in values):
        return "email"
    if all(LINKEDIN_RE.search(value) for value in values):
        return "linkedin_url"
    if all(looks_like_date(value) for value in values):
        return "connected_on"
    if all(PHONE_RE.match(value) for value in values):
        return "phone"
    return ""


def guess_mapping(headers, sample, *, looks_like_date):
    """header -> FIELDS key for each header: by its name, else by its sample values."""
    mapping = {}
    for index, header in enumerate(headers):
        field = field_for_header(header)
        if not field:
            column = [row[index] for row in sample if index < len(row)]
            field = field_for_values(column, looks_like_date=looks_like_date)
        mapping[header] = field
    return mapping


def has_name_column(mapping):
    return bool(NAME_FIELDS & set(mapping.values()))


def unknown_fields(mapping):
    return sorted(set(mapping.values()) - set(FIELDS))
