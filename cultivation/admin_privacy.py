"""The admin's edge for the right of access and the right to erasure: managers only.

`PrivacyActions` gives ContactAdmin two actions that call
`services.contact_export` and `services.contact_erase`; `ErasedIdentity` rows
(the record of each erasure) are shown read-only.
"""

import io
import json
import zipfile

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from convivio.admin_widgets import History, ParsedInput
from convivio.errors import RuleViolation

from . import services
from .models import ErasedIdentity
from .services import privacy

# More people than this in one export is a bulk download, not a request for access.
EXPORT_MAX = 50


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label="Why are they erased?",
        max_length=privacy.MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=(
            "For example: “Asked by email on 3 March to be forgotten.” Kept in the "
            "erasure record, with the person's name, email and phone taken out."
        ),
    )


def _download(body, *, filename, content_type):
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: no copy in a browser's or a proxy's cache.
    response["Cache-Control"] = "no-store"
    return response


def _as_json(export):
    return json.dumps(export, indent=2, ensure_ascii=False).encode()


class PrivacyActions:
    """Mixin for ContactAdmin: "Export everything held (JSON)" and "Erase (right to erasure)"."""

    def has_personal_data_permission(self, request):
        return privacy.may_handle_personal_data(request.user)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_erased:
            # Nothing may be written back into an erased person.
            fields = obj._meta.fields
            return [f.name for f in fields if f.editable and not f.primary_key] + ["knows"]
        return super().get_readonly_fields(request, obj)

    @admin.action(description="Export everything held (JSON)", permissions=["personal_data"])
    def export_everything(self, request, queryset):
        people = list(queryset.order_by("pk")[: EXPORT_MAX + 1])
        if len(people) > EXPORT_MAX:
            self.message_user(
                request, f"Export at most {EXPORT_MAX} people at a time.", messages.ERROR
            )
            return None
        try:
            exports = [
                (person.pk, services.contact_export(contact=person, by=request.user))
                for person in people
            ]
        except RuleViolation as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        if len(exports) == 1:
            pk, export = exports[0]
            return _download(
                _as_json(export), filename=f"contact-{pk}.json", content_type="application/json"
            )
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            for pk, export in exports:
                zipped.writestr(f"contact-{pk}.json", _as_json(export))
        return _download(
            archive.getvalue(),
            filename=f"contacts-{len(exports)}-people-{timezone.localdate()}.zip",
            content_type="application/zip",
        )

    @admin.action(description="Erase (right to erasure)", permissions=["personal_data"])
    def erase_people(self, request, queryset):
        form = ErasureForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            self._erase_each(request, queryset.order_by("pk"), form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Erase these people? This cannot be undone.",
            "opts": self.model._meta,
            "people": queryset.order_by("pk"),
            "form": form,
            "action": "erase_people",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/cultivation/contact/erase_confirmation.html", context
        )

    def _erase_each(self, request, people, reason):
        for person in people:
            pk = person.pk
            try:
                services.contact_erase(contact=person, by=request.user, reason=reason)
            except RuleViolation as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"Contact #{pk} erased: now “Erased person #{pk}”.")


@admin.register(ErasedIdentity)
class ErasedIdentityAdmin(ParsedInput, History, admin.ModelAdmin):
    """The record of each erasure: who, when, why. Written only by the erasure; never edited."""

    list_display = ["erased_at", "contact", "by", "reason"]
    list_select_related = ["contact", "by"]
    date_hierarchy = "erased_at"
    fields = ["erased_at", "contact", "by", "reason", "email_hash"]
    readonly_fields = fields
