"""The groups Staff, Managers and Administrators, with their permissions (see accounts/roles.py)."""

from django.db import migrations

from accounts import roles


def create_roles(apps, schema_editor):
    roles.ensure_roles_migrating(apps)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=[roles.STAFF, roles.MANAGERS, roles.ADMINISTRATORS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("sessions", "0001_initial"),
        ("axes", "0010_accessattemptexpiration"),
        ("outreach", "0005_history_and_version"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
