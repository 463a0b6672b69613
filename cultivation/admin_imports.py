"""Imports in the admin: each batch listed read-only (who, file, layout, counts, status),
with "Undo" through the import service, as the import page does."""

from django.contrib import admin

from convivio.admin_refusals import ActionsThroughServices
from convivio.admin_widgets import History, ParsedInput

from .models import ImportBatch, ImportedPerson, ImportRowError, SavedMapping
from .services import import_undo


class ImportedPersonInline(ParsedInput, History, admin.TabularInline):
    model = ImportedPerson
    extra = 0
    can_delete = False
    fields = ["row_number", "contact", "action", "previous", "at"]
    readonly_fields = fields
    show_change_link = False
    max_num = 0

    def has_view_permission(self, request, obj=None):
        return obj is not None and super().has_view_permission(request, obj)


class ImportRowErrorInline(ImportedPersonInline):
    model = ImportRowError
    fields = ["row_number", "sentence"]
    readonly_fields = fields


@admin.register(ImportBatch)
class ImportBatchAdmin(ActionsThroughServices, ParsedInput, History, admin.ModelAdmin):
    """Written by the import service only: read-only, undone by the action."""

    list_display = [
        "created_at",
        "file_name",
        "created_by",
        "owner",
        "layout",
        "status",
        "rows_done",
        "total_rows",
        "counts",
    ]
    list_filter = ["status", "layout"]
    list_select_related = ["created_by", "owner"]
    search_fields = ["file_name"]
    date_hierarchy = "created_at"
    exclude = ["data"]
    inlines = [ImportRowErrorInline, ImportedPersonInline]
    actions = ["undo"]
    action_noun = "import"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")

    @admin.action(description="Undo: remove the people it added, restore what it changed")
    def undo(self, request, queryset):
        def undo_one(batch):
            for sentence in import_undo(batch=batch, by=request.user):
                self.message_user(request, f"“{batch}”: {sentence}", level="WARNING")

        self.apply_to_each(request, queryset, "undone", undo_one)


@admin.register(SavedMapping)
class SavedMappingAdmin(ParsedInput, admin.ModelAdmin):
    """Column mappings remembered for files with the same header; a wrong one may go."""

    list_display = ["header_signature", "mapping", "saved_by", "updated_at"]
    readonly_fields = ["header_signature", "mapping", "saved_by", "updated_at"]

    def has_add_permission(self, request):
        return False
