"""The two groups of people who use Convivio.

Managers: the admin site, with every CRM permission. Staff: the board only.
"""

from django.contrib.auth.models import Group, Permission

MANAGERS = "Managers"
STAFF = "Staff"
CRM_APPS = ("opportunities", "cultivation")


def sync_groups(**kwargs):
    """Create both groups and give Managers every permission of the CRM apps. Idempotent."""
    Group.objects.get_or_create(name=STAFF)
    managers, _ = Group.objects.get_or_create(name=MANAGERS)
    crm_permissions = Permission.objects.filter(content_type__app_label__in=CRM_APPS)
    user_permissions = Permission.objects.filter(
        content_type__app_label="auth", content_type__model__in=("user", "group")
    ).exclude(codename__startswith="delete")
    managers.permissions.add(*crm_permissions, *user_permissions)


def is_manager(user):
    return user.is_superuser or user.groups.filter(name=MANAGERS).exists()
