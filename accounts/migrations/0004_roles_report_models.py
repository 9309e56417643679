"""The Administrators group gains the permissions of the models added since the roles were made (the
monthly report's subscriptions and deliveries): `ensure_roles` gives it every permission there is."""

from django.db import migrations

from accounts import roles


def update_roles(apps, schema_editor):
    roles.ensure_roles_migrating(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_language"),
        ("outreach", "0014_report_subscriptions"),
    ]

    operations = [migrations.RunPython(update_roles, migrations.RunPython.noop)]
