"""The groups Staff, Managers and Administrators, with their permissions (see accounts/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q

from accounts import roles


def create_roles(apps, schema_editor):
    # Permissions are otherwise created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(pairs):
        query = Q(pk__in=[])
        for app_label, codename in pairs:
            query |= Q(content_type__app_label=app_label, codename=codename)
        return Permission.objects.filter(query)

    Group.objects.get_or_create(name=roles.MANAGERS)[0].permissions.set(permissions(roles.MANAGER_PERMISSIONS))
    Group.objects.get_or_create(name=roles.STAFF)[0].permissions.set(permissions(roles.STAFF_PERMISSIONS))
    Group.objects.get_or_create(name=roles.ADMINISTRATORS)[0].permissions.set(Permission.objects.all())


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
