from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from .. import alliance_selectors, people_selectors, policy, referral_selectors, selectors
from ..forms import (
    ContactFilterForm,
    PlanItemForm,
    PlanStartForm,
    PromiseForm,
    PromiseKeepForm,
    ReasonForm,
    SnoozeForm,
    next_week,
)
from ..models import CRITERIA, ContactEvent, Referral
from ..person_forms import ConsentForm, WithdrawForm
from .acquaintances import knows_context

PAGE_SIZE = 25


def contact_list(request):
    now = timezone.now()
    form = ContactFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else {}
    contacts = people_selectors.contacts_for_list(**filters, now=now)
    # The page is a slice of ids; only its rows are read with what they show.
    ids = contacts.values_list("pk", flat=True)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    people = people_selectors.list_rows(page.object_list, now=now)
    badges = selectors.badges_for_contacts([c.pk for c in people], now=now)
    rows = [(contact, badges[contact.pk]) for contact in people]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    context["export_query"] = query.urlencode()
    return render(request, "cultivation/contact_list.html", context)


def contact_detail(request, pk):
    now = timezone.now()
    data = people_selectors.contact_page(pk, now=now)
    if data is None:
        raise Http404("No such contact.")
    contact = data.contact
    if contact.merged_into_id:  # a merged duplicate's old address leads to who it became
        return redirect("cultivation:contact-detail", pk=contact.merged_into_id)
    settleable = policy.promises_settleable_by(request.user, contact, data.open_promises)
    context = {
        "page": data,
        "contact": contact,
        "may_change": policy.can_change_person(request.user, contact),
        "settleable": {promise.pk for promise in settleable},
        "refusal": policy.person_refusal(contact, "change their touch plan"),
        "badges": selectors.badges_for_contacts([contact.pk], now=now)[contact.pk],
        "follow_up_label": (
            selectors.follow_up_label(data.follow_up, now=now)
            if data.follow_up and data.follow_up.is_live
            else ""
        ),
        "today": timezone.localdate(now),
        "touch_url": selectors.touch_form_url(contact.pk),
        "promise_form": PromiseForm(
            initial={"contact": contact.pk, "owner": request.user.pk, "due_on": next_week()}
        ),
        "keep_form": PromiseKeepForm(),
        "reason_form": ReasonForm(),
        "snooze_form": SnoozeForm(initial={"until": next_week()}),
        "plan_start_form": PlanStartForm(),
        "plan_item_form": PlanItemForm(initial={"interval_days": 180}),
        **knows_context(request.user, contact, data.known),
        **_person_context(request.user, contact, data),
    }
    return render(request, "cultivation/contact_detail.html", context)


CONSENT_ACTIONS = (ContactEvent.Action.OPTED_IN, ContactEvent.Action.OPTED_OUT)


def _person_context(user, contact, data):
    """Consent (its forms and its history), needs, referrals: the person's own facts."""
    return {
        "consent_form": ConsentForm(),
        "withdraw_form": WithdrawForm(),
        "consent_history": [
            row for row in data.timeline if getattr(row, "action", None) in CONSENT_ACTIONS
        ],
        "needs": contact.needs.splitlines(),
        "referrals": policy.mark_followable(user, referral_selectors.referrals_of(contact)),
        "alliance": alliance_selectors.alliance_of(contact),
        "criteria_count": len(CRITERIA),
        "outcomes": Referral.Outcome.choices,
    }
