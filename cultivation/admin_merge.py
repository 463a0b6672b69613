"""The admin's edge for merging two records of one person: an action on exactly two people.

`MergeActions` gives ContactAdmin "Merge the two selected people", which asks which
record to keep (showing what each way would move) and then calls
`services.contact_merge`, the same service as the "Possible duplicates" page.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from convivio.errors import RuleViolation

from . import services
from .services.merge import merge_preview


class KeepForm(forms.Form):
    survivor = forms.TypedChoiceField(
        label="Keep which record?",
        coerce=int,
        widget=forms.RadioSelect,
        help_text="Everything about the other record moves to it; the other is then retired.",
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].choices = [(p.pk, f"{p.name} (#{p.pk})") for p in people]


class MergeActions:
    """Mixin for ContactAdmin: "Merge the two selected people" (services.contact_merge)."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        if actions and self.has_change_permission(request):
            actions["merge_two"] = self.get_action("merge_two")
        return actions

    @admin.action(description="Merge the two selected people (choose which record to keep)")
    def merge_two(self, request, queryset):
        people = list(queryset.select_related("organisation", "owner").order_by("pk")[:3])
        if len(people) != 2:
            self.message_user(
                request, "Select exactly two people: two records of one person.", messages.ERROR
            )
            return None
        posted = request.POST if request.POST.get("post") == "yes" else None
        form = KeepForm(posted, people=people, initial={"survivor": people[0].pk})
        if form.is_bound and form.is_valid():
            self._merge(request, people, form.cleaned_data["survivor"])
            return None
        first, second = people
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge two records of one person?",
            "opts": self.model._meta,
            "people": people,
            "previews": [
                merge_preview(survivor=first, duplicate=second),
                merge_preview(survivor=second, duplicate=first),
            ],
            "form": form,
            "action": "merge_two",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/cultivation/contact/merge_confirmation.html", context
        )

    def _merge(self, request, people, survivor_pk):
        survivor, duplicate = sorted(people, key=lambda person: person.pk != survivor_pk)
        try:
            merged = services.contact_merge(survivor=survivor, duplicate=duplicate, by=request.user)
        except RuleViolation as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(
            request,
            f"Merged {merged.duplicate_name} into {survivor.name}: {merged.total} record(s) moved.",
        )
