"""Managers keep viewing and editing accounts but lose every other auth permission
(adding accounts, groups, permissions), which let them make themselves superuser.
Fixes databases made before issue 9; new ones get the same from sync_groups."""

from django.db import migrations

KEPT = ("view_user", "change_user")


def remove_account_powers(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    managers = Group.objects.filter(name="Managers").first()
    if managers is None:
        return
    escalating = Permission.objects.filter(content_type__app_label="auth").exclude(
        codename__in=KEPT
    )
    managers.permissions.remove(*escalating)


class Migration(migrations.Migration):
    dependencies = [
        ("opportunities", "0003_connection_ideas"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    # Not reversed: handing the powers back would reopen the hole.
    operations = [migrations.RunPython(remove_account_powers, migrations.RunPython.noop)]
