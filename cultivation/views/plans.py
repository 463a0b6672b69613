from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from convivio.errors import RuleViolation

from .. import selectors, services
from ..forms import PlanItemForm, PlanStartForm, ReasonForm, SnoozeForm
from ..models import Contact, FollowUp, PlanItem, TouchPlan
from .common import done, refused


@require_POST
def plan_start(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    fallback = contact.get_absolute_url()
    form = PlanStartForm(request.POST)
    if not form.is_valid():
        return refused(request, "Choose what kind of relationship this is.", fallback)
    try:
        services.touch_plan_start(contact=contact, kind=form.cleaned_data["kind"], by=request.user)
    except RuleViolation as error:
        return refused(request, error, fallback)
    _warn_if_near_capacity(request, contact)
    return done(request, f"{contact.name} now has a touch plan.", fallback)


def _warn_if_near_capacity(request, contact):
    if contact.owner is None:
        return
    capacity = selectors.capacity_for(contact.owner, now=timezone.now())
    if capacity.is_warning:
        messages.warning(
            request,
            f"{contact.owner} now cultivates {capacity.size} people: about {capacity.warn_at} "
            f"is what one person can keep alive, {capacity.maximum} the ceiling.",
        )


@require_POST
def plan_item_add(request, pk):
    plan = get_object_or_404(TouchPlan.objects.select_related("contact"), pk=pk)
    fallback = plan.contact.get_absolute_url() + "#plan"
    form = PlanItemForm(request.POST)
    if not form.is_valid():
        return refused(request, "Choose a kind of touch and an interval in days.", fallback)
    try:
        item = services.plan_item_add(plan=plan, by=request.user, **form.cleaned_data)
    except RuleViolation as error:
        return refused(request, error, fallback)
    return done(
        request, f"Added to the plan: {item}, next due {item.next_due_on:%-d %b}.", fallback
    )


@require_POST
def plan_end(request, pk):
    plan = get_object_or_404(TouchPlan.objects.select_related("contact"), pk=pk)
    fallback = plan.contact.get_absolute_url()
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.plan_end(plan=plan, reason=reason, by=request.user)
    except RuleViolation as error:
        return refused(request, error, fallback)
    return done(request, f"The touch plan for {plan.contact.name} has ended.", fallback)


@require_POST
def plan_item_snooze(request, pk):
    item = get_object_or_404(PlanItem.objects.select_related("plan__contact"), pk=pk)
    fallback = reverse("cultivation:my-week")
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        return refused(request, "Choose a date to snooze to.", fallback)
    try:
        services.plan_item_snooze(item=item, until=form.cleaned_data["until"], by=request.user)
    except RuleViolation as error:
        return refused(request, error, fallback)
    until = form.cleaned_data["until"]
    return done(
        request,
        f"{item.label} with {item.plan.contact.name} snoozed to {until:%a %-d %b}.",
        fallback,
    )


@require_POST
def follow_up_snooze(request, pk):
    follow_up = get_object_or_404(FollowUp.objects.select_related("contact"), pk=pk)
    fallback = reverse("cultivation:my-week")
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        return refused(request, "Choose a date to snooze to.", fallback)
    until = form.cleaned_data["until"]
    try:
        services.follow_up_snooze(follow_up=follow_up, until=until, by=request.user)
    except RuleViolation as error:
        return refused(request, error, fallback)
    return done(
        request, f"Follow-up with {follow_up.contact.name} snoozed to {until:%a %-d %b}.", fallback
    )
