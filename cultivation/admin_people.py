"""The admin's edge for adding people, their consent, and a mistaken "asked to stop".

`PeopleActions` is mixed into ContactAdmin: a person added here goes through
`contact_create` (policy, history); "Record consent", "Withdraw consent" and
"Reverse 'asked to stop'" ask for how or why on a page of their own, then call
the services once per person, so a refusal names the person and changes nothing.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR
from django.template.response import TemplateResponse

from convivio.limits import TEXT_MAX

from . import policy, services
from .models import Contact
from .services.people import PERSON_FIELDS


class ConsentHowForm(forms.Form):
    how = forms.CharField(
        label="How did they consent?",
        max_length=Contact._meta.get_field("opt_in_how").max_length,
        help_text="For example “asked at lunch”, “signed up on the website”.",
    )


class WithdrawWhyForm(forms.Form):
    why = forms.CharField(
        label="Why (optional)",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


class ReverseStopForm(forms.Form):
    why = forms.CharField(
        label="Why was “asked us to stop” a mistake?",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept in their history with your name. Their ended plan is not restarted.",
    )


class PeopleActions:
    """Mixin for ContactAdmin (with ActionsThroughServices): adds through the service,
    and the consent and "asked to stop" actions."""

    people_actions = ("record_consent", "withdraw_consent", "reverse_stop")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is None or IS_POPUP_VAR in request.GET:
            return actions
        for name in self.people_actions:
            if name == "reverse_stop" and not policy.can_reverse_stop(request.user):
                continue
            func, action, description = self.get_action(name)
            actions[action] = (func, action, description)
        return actions

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        person = services.contact_create(
            by=request.user,
            owner=data.get("owner"),
            **{name: data[name] for name in PERSON_FIELDS if name in data},
        )
        for field in Contact._meta.concrete_fields:
            setattr(obj, field.attname, getattr(person, field.attname))
        obj._state.adding = False

    @admin.action(description="Record consent to email (say how)")
    def record_consent(self, request, queryset):
        return self._ask_then(
            request,
            queryset,
            action="record_consent",
            form_class=ConsentHowForm,
            title="Record consent to email",
            verb="opted in to email",
            change=lambda person, data: services.contact_opt_in(
                contact=person, by=request.user, how=data["how"]
            ),
        )

    @admin.action(description="Withdraw consent to email")
    def withdraw_consent(self, request, queryset):
        return self._ask_then(
            request,
            queryset,
            action="withdraw_consent",
            form_class=WithdrawWhyForm,
            title="Withdraw consent to email",
            verb="withdrew consent to email",
            change=lambda person, data: services.contact_opt_out(
                contact=person, by=request.user, why=data["why"]
            ),
        )

    @admin.action(description="Reverse 'asked to stop' (a mistake: say why)")
    def reverse_stop(self, request, queryset):
        return self._ask_then(
            request,
            queryset,
            action="reverse_stop",
            form_class=ReverseStopForm,
            title="Reverse “asked us to stop”",
            verb="may be contacted again",
            change=lambda person, data: services.contact_stop_reverse(
                contact=person, by=request.user, why=data["why"]
            ),
        )

    def _ask_then(self, request, queryset, *, action, form_class, title, verb, change):
        """A page asking how or why; once answered, `change` runs for each person."""
        form = form_class(request.POST if request.POST.get("post") == "yes" else None)
        people = queryset.order_by("pk")
        if form.is_bound and form.is_valid():
            self.apply_to_each(
                request, people, verb, lambda person: change(person, form.cleaned_data)
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "people": people,
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/cultivation/contact/people_action.html", context)
