"""How a history row shows a value: as a person read it at the time of the change.

Both layers' history rows (`ContactEvent.changes` here, the card changes above)
keep text, not ids, so a row still reads true after the organisation or the
colleague it names was renamed or removed.
"""

from decimal import Decimal

from .policy import full_name


def shown(model, name, value):
    """`value` of field `name` of `model` as text: a choice's label, a person's full name,
    yes/no, a number with thousands separators, names joined for a set, "" for nothing."""
    if value is None:
        return ""
    if isinstance(value, (list, set, tuple)):
        return ", ".join(sorted(shown(model, name, item) for item in value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "get_full_name"):
        return full_name(value)
    choices = dict(model._meta.get_field(name).flatchoices)
    if value in choices:
        return str(choices[value])
    if isinstance(value, Decimal | int | float):
        # As the board shows money: 25,000 and 25,000.50, whatever the form sent.
        return f"{Decimal(value):,.2f}".removesuffix(".00")
    return str(value)


def field_change(model, name, before, after):
    """One history entry: {field, label, from, to}."""
    return {
        "field": name,
        "label": str(model._meta.get_field(name).verbose_name),
        "from": shown(model, name, before),
        "to": shown(model, name, after),
    }
