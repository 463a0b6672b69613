"""Who may change what about a person: the write policy of the lower layer, in one place.

Everyone in the firm sees every person (it is one firm's network). Anyone
signed in may log a touch they made and record a promise they will keep
themselves. Keeping or releasing a promise, starting, changing, ending or
snoozing a touch plan, snoozing a follow-up, editing a person's details and
handing them to someone else belong to the person's owner or a manager; a
promise may also be settled by its own owner. A person nobody owns is
everyone's to look after: anyone signed in may act for them.

The services call these checks (`require`), so no edge can bypass them.
Consequences that are nobody's choice (a follow-up starting or closing as a
card moves, the daily sweep) have no check and no URL.
"""

from convivio.errors import PermissionRefused

MANAGERS = "Managers"


def is_manager(user):
    """A manager may do everything: a superuser, or a member of the Managers group."""
    if not is_signed_in(user):
        return False
    return user.is_superuser or user.groups.filter(name=MANAGERS).exists()


def is_signed_in(user):
    """A real, active person. `None` (no one) and anonymous visitors change nothing."""
    return user is not None and user.is_authenticated and user.is_active


def full_name(user):
    return (user.get_full_name() or user.username) if user is not None else "nobody"


def can_change_person(user, contact):
    """The person's owner or a manager; anyone signed in when nobody owns the person."""
    if not is_signed_in(user):
        return False
    return contact.owner_id in (None, user.pk) or is_manager(user)


def can_settle_promise(user, promise):
    """Keeping or releasing a promise: its owner, the person's owner, or a manager."""
    if not is_signed_in(user):
        return False
    return promise.owner_id == user.pk or can_change_person(user, promise.contact)


def promises_settleable_by(user, contact, promises):
    """Of `promises` to `contact`, those `user` may keep or release: the same rule as
    `can_settle_promise`, in at most one query for a whole page."""
    if can_change_person(user, contact):
        return list(promises)
    return [promise for promise in promises if promise.owner_id == user.pk]


def can_make_promise(user, contact, owner):
    """Anyone may record a promise they will keep; one for someone else to keep is for
    the person's owner or a manager."""
    if not is_signed_in(user):
        return False
    return owner.pk == user.pk or can_change_person(user, contact)


def person_refusal(contact, doing):
    """The sentence for a refused change to `contact`: who may `doing`."""
    if contact.owner_id is None:
        return f"Sign in to {doing}."
    return f"Only {full_name(contact.owner)}, {contact.name}'s owner, or a manager can {doing}."


def promise_refusal(promise, doing):
    """The sentence for a refused keep or release of `promise`."""
    who = f"{full_name(promise.owner)}, who owns the promise,"
    contact = promise.contact
    if contact.owner_id not in (None, promise.owner_id):
        who += f" {full_name(contact.owner)}, {contact.name}'s owner,"
    return f"Only {who} or a manager can {doing} “{promise.what}”."


def require(allowed, sentence):
    """Raise `PermissionRefused(sentence)` unless `allowed`. Services call this first."""
    if not allowed:
        raise PermissionRefused(sentence)
