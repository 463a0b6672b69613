"""Managers' exports from the admin: the selected rows (or all, "select all") as a
file, streamed by the same code as the contact list's export (exporting.py)."""

from django.contrib import admin

from . import exporting


@admin.action(description="Export the selected people as CSV")
def export_people_csv(modeladmin, request, queryset):
    return exporting.people_csv(queryset.order_by("name_key", "pk"))


@admin.action(description="Export the selected people as vCards (.vcf)")
def export_people_vcards(modeladmin, request, queryset):
    return exporting.people_vcards(queryset.order_by("name_key", "pk"))


@admin.action(description="Export the selected organisations as CSV")
def export_organisations_csv(modeladmin, request, queryset):
    return exporting.organisations_csv(queryset.order_by("name", "pk"))


@admin.action(description="Export the selected touches as CSV")
def export_touches_csv(modeladmin, request, queryset):
    return exporting.touches_csv(queryset.order_by("at", "pk"))


@admin.action(description="Export the selected promises as CSV")
def export_promises_csv(modeladmin, request, queryset):
    return exporting.promises_csv(queryset.order_by("due_on", "pk"))
