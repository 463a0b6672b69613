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
