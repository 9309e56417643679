"""The groups Staff, Managers and Administrators, with their permissions (see accounts/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts import roles


def create_roles(apps, schema_editor):
    # Permissions are otherwise created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles.ensure_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


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
