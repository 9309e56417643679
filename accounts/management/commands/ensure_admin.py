"""Create the first administrator, once: `make run` calls this on every start."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

# The one reader of the environment: it takes a value beginning with "$" as it is (a plain `environ.Env`
# reads it as the name of another variable and finds none).
from outreach.environment import Env

env = Env()


class Command(BaseCommand):
    help = _(
        "Create an administrator from DJANGO_SUPERUSER_USERNAME / DJANGO_SUPERUSER_PASSWORD, or with a generated "
        "password printed once, unless an administrator already exists."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(_("An administrator already exists; no one was created."))
            return
        username = env("DJANGO_SUPERUSER_USERNAME", default="admin")
        password = env("DJANGO_SUPERUSER_PASSWORD", default="")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Created the administrator “%(username)s” with the password %(password)s. It is shown "
                        "only this once: write it down, then change it in the admin."
                    )
                    % {"username": username, "password": password}
                )
            )
        else:
            self.stdout.write(_("Created the administrator “%(username)s”.") % {"username": username})
