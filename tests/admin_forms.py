"""What the admin's change forms post, for tests that save a card or a person through them."""

CARD_INLINES = ("links", "connection_ideas", "stage_changes", "changes")
PERSON_INLINES = ("touches", "events", "knows")


def _no_inline_rows(prefixes):
    return {f"{p}-{name}": 0 for p in prefixes for name in ("TOTAL_FORMS", "INITIAL_FORMS")}


def card_form(card, **fields):
    """A card's change form as loaded, with `fields` changed (no loaded version unless given)."""
    return {
        "title": card.title,
        "organisation": card.organisation_id or "",
        "owner": card.owner_id,
        "priority": card.priority,
        "source": card.source,
        "estimated_value": "",
        "pain": card.pain,
        "gain": card.gain,
        **_no_inline_rows(CARD_INLINES),
        **fields,
    }


def person_form(person, **fields):
    """A person's change form as loaded, with `fields` changed."""
    return {
        "name": person.name,
        "organisation": person.organisation_id or "",
        "role": person.role,
        "email": person.email,
        "phone": person.phone,
        "linkedin_url": person.linkedin_url,
        "how_we_know_them": person.how_we_know_them,
        "what_makes_them_tick": person.what_makes_them_tick,
        "needs": person.needs,
        "referred_by": person.referred_by_id or "",
        "referred_by_colleague": person.referred_by_colleague_id or "",
        "owner": person.owner_id or "",
        **_no_inline_rows(PERSON_INLINES),
        **fields,
    }
