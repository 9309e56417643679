"""The three roles, as groups with permissions. `accounts/migrations/0002_roles.py` creates them.

- Staff enter and correct figures (the admin's snapshots, the month grid, imports), keep milestones,
  and see the dashboard and reports.
- Managers see the dashboard and reports; no admin, no edits.
- Administrators may do everything, platforms, accounts and people included.
"""

STAFF = "Staff"
MANAGERS = "Managers"
ADMINISTRATORS = "Administrators"

# (app label, codename) pairs.
MANAGER_PERMISSIONS = [
    ("outreach", "view_metricsnapshot"),
    ("outreach", "view_account"),
    ("outreach", "view_platform"),
    ("outreach", "view_milestone"),
]
STAFF_PERMISSIONS = [
    *MANAGER_PERMISSIONS,
    ("outreach", "add_metricsnapshot"),
    ("outreach", "change_metricsnapshot"),
    ("outreach", "delete_metricsnapshot"),
    ("outreach", "add_milestone"),
    ("outreach", "change_milestone"),
    ("outreach", "delete_milestone"),
    ("outreach", "view_snapshotimport"),
]


def ensure_roles(group_model, permission_model) -> None:
    """Create or update the three groups with their permissions (models passed in, for migrations too)."""
    from django.db.models import Q

    def permissions(pairs):
        query = Q(pk__in=[])
        for app_label, codename in pairs:
            query |= Q(content_type__app_label=app_label, codename=codename)
        return permission_model.objects.filter(query)

    group_model.objects.get_or_create(name=MANAGERS)[0].permissions.set(permissions(MANAGER_PERMISSIONS))
    group_model.objects.get_or_create(name=STAFF)[0].permissions.set(permissions(STAFF_PERMISSIONS))
    group_model.objects.get_or_create(name=ADMINISTRATORS)[0].permissions.set(permission_model.objects.all())


def ensure_roles_migrating(apps) -> None:
    """`ensure_roles` from a migration: the permissions of models added so far are otherwise created only
    after every migration has run, and the groups need them now."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))
