"""Who may change what about a person: the write policy of the lower layer, in one place.

Everyone in the firm sees every person (it is one firm's network). Anyone
signed in may log a touch they made and record a promise they will keep
themselves. Keeping or releasing a promise, starting, changing, ending or
snoozing a touch plan, snoozing a follow-up, editing a person's details and
handing them to someone else belong to the person's owner or a manager; a
promise may also be settled by its own owner. A person nobody owns is
everyone's to look after: anyone signed in may act for them. Anyone signed in
may add a person they will own (or nobody owns) and add or edit an
organisation; reversing "asked us to stop" is a manager's alone.

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


def can_change_person(user, contact, *, manager=None):
    """The person's owner or a manager; anyone signed in when nobody owns the person.
    `manager`: whether `user` is one, when the caller already asked (a page of rows)."""
    if not is_signed_in(user):
        return False
    if contact.owner_id in (None, user.pk):
        return True
    return is_manager(user) if manager is None else manager


def can_add_person(user, owner):
    """Anyone signed in may add a person they will own, or one nobody owns; a person
    for someone else to keep is a manager's to add."""
    if not is_signed_in(user):
        return False
    return owner is None or owner.pk == user.pk or is_manager(user)


def can_import_for(user, owner):
    """Importing people: anyone signed in, into their own pool or for nobody yet; a
    manager for anyone (the same rule as adding one person)."""
    return can_add_person(user, owner)


def can_see_import(user, batch):
    """An import batch is seen, and undone, by whoever made it or a manager."""
    if not is_signed_in(user):
        return False
    return batch.created_by_id == user.pk or is_manager(user)


def can_reverse_stop(user):
    """Only a manager may undo a mistaken "asked us to stop": it is final otherwise."""
    return is_manager(user)


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


def people_changeable_by(user, people):
    """Of `people`, those `user` may change: the same rule as `can_change_person`, in at
    most one query for a whole page."""
    if not is_signed_in(user):
        return []
    people = list(people)
    theirs = [person for person in people if person.owner_id in (None, user.pk)]
    if len(theirs) == len(people) or not is_manager(user):
        return theirs
    return people


def can_make_promise(user, contact, owner):
    """Anyone may record a promise they will keep; one for someone else to keep is for
    the person's owner or a manager."""
    if not is_signed_in(user):
        return False
    return owner.pk == user.pk or can_change_person(user, contact)


def can_follow_up_referral(user, referral, *, manager=None):
    """What became of a referral: its recorder, the colleague it is with, the person's
    owner (anyone when nobody owns them), or a manager."""
    if not is_signed_in(user):
        return False
    if user.pk in (referral.recorded_by_id, referral.to_user_id, referral.by_user_id):
        return True
    return can_change_person(user, referral.person, manager=manager)


def mark_followable(user, referrals):
    """Set `may_follow_up` on each of `referrals` (`can_follow_up_referral`), asking
    whether `user` is a manager at most once, and only if a row turns on it: a page of
    them costs one query at most. Each referral's person must be loaded with it."""
    manager = None
    for referral in referrals:
        if referral.person.retired_reason:  # erased or merged: nothing more about them
            referral.may_follow_up = False
            continue
        may = can_follow_up_referral(user, referral, manager=False)
        if not may and is_signed_in(user):
            manager = is_manager(user) if manager is None else manager
            may = manager
        referral.may_follow_up = may
    return referrals


def referral_refusal(referral, doing):
    """The sentence for a refused follow-up of `referral`: who may `doing`."""
    names = [full_name(referral.colleague)]
    contact = referral.person
    if contact.owner_id not in (None, referral.colleague.pk):
        names.append(f"{full_name(contact.owner)}, {contact.name}'s owner,")
    who = ", ".join(names[:1]) + ", who the referral is with," + "".join(f" {n}" for n in names[1:])
    return f"Only {who} or a manager can {doing}."


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


def can_merge(user, survivor, duplicate):
    """Merging two records of one person: whoever may change both (their owner, anyone
    for a record nobody owns), or a manager; records with two owners, a manager alone."""
    return can_change_person(user, survivor) and can_change_person(user, duplicate)


def merge_refusal(survivor, duplicate):
    """The sentence for a refused merge: who may merge these two records."""
    doing = f"merge {duplicate.name} into {survivor.name}"
    owners = {person.owner_id: person.owner for person in (survivor, duplicate) if person.owner_id}
    if not owners:
        return f"Sign in to {doing}."
    if len(owners) == 1:
        return f"Only {full_name(*owners.values())}, who owns them, or a manager can {doing}."
    names = " and ".join(sorted(full_name(owner) for owner in owners.values()))
    return f"They have two owners ({names}): only a manager can {doing}."


def require(allowed, sentence):
    """Raise `PermissionRefused(sentence)` unless `allowed`. Services call this first."""
    if not allowed:
        raise PermissionRefused(sentence)
