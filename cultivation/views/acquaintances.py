"""Who knows whom, on a person's page: link two people, or remove the link."""

from django.shortcuts import render
from django.views.decorators.http import require_POST

from convivio.errors import PermissionRefused, RuleViolation
from convivio.parsing import object_or_404

from .. import policy, services
from ..acquaintance_forms import AcquaintanceForm
from ..models import Contact
from .common import done, forbidden, refused, safe_next


def _person(pk):
    return object_or_404(Contact.objects.active().select_related("owner"), pk, what="person")


def knows_add(request, pk):
    """Record someone a person knows. The form is on their page; this page shows it alone
    (a plain page without JavaScript, and where a refused form comes back)."""
    contact = _person(pk)
    back = safe_next(request, contact.get_absolute_url() + "#knows")
    form = AcquaintanceForm(request.POST or None, contact=contact)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _, added = services.acquaintance_add(
                contact=contact,
                other=data["other"],
                by=request.user,
                how=data["how"],
                detail=data["detail"],
            )
        except PermissionRefused as error:
            return forbidden(request, error, back=back)
        except RuleViolation as error:
            form.add_error(None, str(error))
        else:
            other = data["other"].name
            if added:
                return done(request, f"Recorded: {contact.name} knows {other}.", back)
            return done(request, f"{contact.name} and {other} were already linked.", back)
    status = 400 if request.method == "POST" else 200
    context = {"contact": contact, "form": form, "next": back}
    return render(request, "cultivation/knows_form.html", context, status=status)


@require_POST
def knows_remove(request, pk, other):
    """Remove the link between a person and someone they know."""
    contact = _person(pk)
    known = _person(other)
    back = safe_next(request, contact.get_absolute_url() + "#knows")
    try:
        removed = services.acquaintance_remove(contact=contact, other=known, by=request.user)
    except RuleViolation as error:
        return refused(request, error, back)
    if removed:
        return done(request, f"Removed: {contact.name} knows {known.name}.", back)
    return done(request, f"{contact.name} and {known.name} were not linked.", back)


def knows_context(user, contact, known):
    """What the person page's "Who they know" needs: `known` (their links, from
    `people_selectors.knows_of`), those `user` may remove (a link is theirs to remove if
    either person is), and the add form. At most two queries, none for the owner."""
    if policy.can_change_person(user, contact):
        removable = {row.to_contact_id for row in known}
    else:
        others = policy.people_changeable_by(user, [row.to_contact for row in known])
        removable = {person.pk for person in others}
    return {"knows_removable": removable, "knows_form": AcquaintanceForm(contact=contact)}
