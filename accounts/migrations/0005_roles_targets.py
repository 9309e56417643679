"""The Administrators group gains the permissions of the yearly targets (`ensure_roles` gives it every one)."""

from django.db import migrations

from accounts import roles


def update_roles(apps, schema_editor):
    roles.ensure_roles_migrating(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_roles_report_models"),
        ("outreach", "0015_targets"),
    ]

    operations = [migrations.RunPython(update_roles, migrations.RunPython.noop)]
