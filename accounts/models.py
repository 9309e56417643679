"""People who sign in. A custom user from the first migration, so that it can grow without a rewrite."""

from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A member of the museum's staff, a manager or an administrator."""

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ("username",)
