"""The admin as an edge: a refused change form says why, as the board does, and saves nothing."""

from django.contrib import messages
from django.http import HttpResponseRedirect

from convivio.errors import RuleViolation


class RefusalsAsMessages:
    """Mix into a ModelAdmin whose `save_model` calls a service.

    The admin runs the save in a transaction; a `RuleViolation` (a rule, or a
    `PermissionRefused`) rolls it back whole and comes back as an error message
    on the same page, never a 500.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except RuleViolation as error:
            self.message_user(request, f"Nothing was saved: {error}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ActionsThroughServices:
    """Mix into a ModelAdmin whose actions call a service once per selected row.

    Each service call is its own transaction: a refused row (a `RuleViolation` or a
    `PermissionRefused`) becomes an error message naming the row and leaves it as it
    was; the other rows are still processed. `action_noun` names the rows in the
    summary ("2 promise(s) kept.").
    """

    action_noun = None

    def action_value(self, request, name):
        """A field of the action form, parsed; None if missing or unreadable."""
        form = self.action_form(request.POST)
        form.is_valid()
        return form.cleaned_data.get(name)

    def apply_to_each(self, request, queryset, verb, change):
        done = 0
        for row in queryset:
            try:
                change(row)
            except RuleViolation as refusal:
                self.message_user(request, f"“{row}”: {refusal}", messages.ERROR)
            else:
                done += 1
        if done:
            noun = self.action_noun or self.model._meta.verbose_name
            self.message_user(request, f"{done} {noun}(s) {verb}.", messages.SUCCESS)
        return done
