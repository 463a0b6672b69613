from django.contrib import admin

from .models import Contact, JobRun, Organisation, Reminder, WeeklyDigest


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "role", "email", "phone", "owner", "has_opted_in"]
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "website", "created_at"]
    list_filter = ["sector"]
    search_fields = ["name", "sector", "notes"]
    date_hierarchy = "created_at"
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "role", "email", "owner", "has_opted_in"]
    list_filter = ["has_opted_in", "owner", "organisation__sector"]
    list_select_related = ["organisation", "owner"]
    search_fields = ["name", "email", "role", "organisation__name"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["organisation", "owner", "knows"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["kind", "due_on", "owner", "contact", "created_at", "closed_at"]
    list_filter = ["kind", "owner", "closed_at"]
    list_select_related = ["owner", "contact"]
    search_fields = ["contact__name"]
    date_hierarchy = "due_on"


@admin.register(WeeklyDigest)
class WeeklyDigestAdmin(admin.ModelAdmin):
    list_display = ["user", "week_start", "claimed_at", "sent_at", "item_count"]
    list_filter = ["week_start"]
    list_select_related = ["user"]
    date_hierarchy = "week_start"


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["name", "last_started_at", "last_success_at"]
    readonly_fields = ["name", "last_started_at", "last_success_at", "last_error"]
