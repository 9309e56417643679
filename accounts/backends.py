"""Who may do what: Django's permissions, read in one query per request instead of two."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class RoleBackend(ModelBackend):
    """Django's `ModelBackend`, except that a person's permissions (their own and their groups', which is
    how roles are given: `accounts.roles`) come from one query: every signed-in page checks them, and a
    kept dashboard costs only a few round trips to the database in all. Nothing is kept beyond the
    request, so a role taken away counts on the very next page."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            granted = Permission.objects.all()
            if not user_obj.is_superuser:
                granted = granted.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in granted.values_list("content_type__app_label", "codename").order_by()
            }
        return user_obj._perm_cache
