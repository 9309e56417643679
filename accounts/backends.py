"""Who may do what: a signed-in person and their permissions, read in one query per request instead of two."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from accounts.models import User

# A person's own permissions and their groups' (which is how roles are given: `accounts.roles`), written out:
# every signed-in page checks them, and the ORM's building of this query costs more than running it.
_PERMISSIONS_SQL = (
    f"SELECT ct.app_label, p.codename FROM {Permission._meta.db_table} p "  # noqa: S608 (table names)
    f"JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id WHERE p.id IN ("
    f"SELECT permission_id FROM {User.user_permissions.through._meta.db_table} WHERE user_id = %s UNION "
    f"SELECT gp.permission_id FROM {Group.permissions.through._meta.db_table} gp "
    f"JOIN {User.groups.through._meta.db_table} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s)"
)
_ALL_PERMISSIONS_SQL = (
    f"SELECT ct.app_label, p.codename FROM {Permission._meta.db_table} p "  # noqa: S608 (table names)
    f"JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id"
)
# The person of a session with their permissions beside them: one row per permission (one row with none if
# they have none). A superuser's are all, and never looked up for a check (`PermissionsMixin.has_perm`).
_USER_FIELDS = [field.attname for field in User._meta.concrete_fields]
_USER_WITH_PERMISSIONS_SQL = (
    f"SELECT {', '.join(f'u.{connection.ops.quote_name(name)}' for name in _USER_FIELDS)}, "  # noqa: S608
    f"perm.app_label, perm.codename FROM {User._meta.db_table} u "
    f"LEFT JOIN ({_PERMISSIONS_SQL}) perm ON 1 = 1 WHERE u.id = %s"
)


class RoleBackend(ModelBackend):
    """Django's `ModelBackend`, except in how many queries it takes: the person of a session comes with
    their permissions in one query, where Django takes one for the person and two for the permissions, so
    that a kept dashboard costs only a few round trips to the database in all. Nothing is kept beyond the
    request, so a role taken away counts on the very next page."""

    def get_user(self, user_id):
        with connection.cursor() as cursor:
            cursor.execute(_USER_WITH_PERMISSIONS_SQL, [user_id, user_id, user_id])
            rows = cursor.fetchall()
        if not rows:
            return None
        user = User.from_db(connection.alias, _USER_FIELDS, rows[0][: len(_USER_FIELDS)])
        if not user.is_superuser:
            user._perm_cache = {f"{app_label}.{codename}" for *_, app_label, codename in rows if codename}
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            with connection.cursor() as cursor:
                if user_obj.is_superuser:
                    cursor.execute(_ALL_PERMISSIONS_SQL)
                else:
                    cursor.execute(_PERMISSIONS_SQL, [user_obj.pk, user_obj.pk])
                user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()}
        return user_obj._perm_cache
