"""The two groups of people who use Convivio.

Managers: the admin site, with every CRM permission, and the firm's people but not
their powers (docs/security.md). Staff: the board only.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from cultivation import policy

MANAGERS = policy.MANAGERS  # named once, in the lower layer
STAFF = "Staff"
CRM_APPS = ("opportunities", "cultivation")
# Managers look after accounts (names, email, leavers, reset emails) and clear sign-in
# lockouts; adding accounts, groups and permissions stays with superusers.
ACCOUNT_PERMISSIONS = ("view_user", "change_user")
LOCKOUT_APP = "axes"
# Clearing a lockout deletes its attempt row; the sign-in logs stay, as evidence.
LOCKOUT_CLEARING = ("delete_accessattempt", "delete_accessattemptexpiration")


def sync_groups(**kwargs):
    """Create both groups, give Managers every CRM permission, the account and lockout
    permissions, and take away any other power over accounts. Idempotent."""
    Group.objects.get_or_create(name=STAFF)
    managers, _ = Group.objects.get_or_create(name=MANAGERS)
    granted = Permission.objects.filter(
        Q(content_type__app_label__in=CRM_APPS)
        | Q(content_type__app_label="auth", codename__in=ACCOUNT_PERMISSIONS)
        | Q(content_type__app_label=LOCKOUT_APP, codename__startswith="view_")
        | Q(content_type__app_label=LOCKOUT_APP, codename__in=LOCKOUT_CLEARING)
    )
    managers.permissions.add(*granted)
    escalating = Permission.objects.filter(content_type__app_label="auth").exclude(
        codename__in=ACCOUNT_PERMISSIONS
    )
    managers.permissions.remove(*escalating)


# One predicate for "manager", kept with the write policy in the lower layer.
is_manager = policy.is_manager
