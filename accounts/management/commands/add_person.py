"""Add a person with one of the three roles, or give an existing person a role."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from accounts import roles

ROLES = {"staff": roles.STAFF, "manager": roles.MANAGERS, "administrator": roles.ADMINISTRATORS}


class Command(BaseCommand):
    help = (
        "Add a person (or change an existing person's role): --role staff enters figures, manager sees the "
        "dashboard and reports, administrator does everything. Prints a generated password for a new person."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ROLES))
        parser.add_argument("--email", default="")

    def handle(self, *args, username: str, role: str, email: str, **options):
        try:
            group = Group.objects.get(name=ROLES[role])
        except Group.DoesNotExist:
            raise CommandError(f"The group {ROLES[role]} is missing: run `manage.py migrate` first.") from None
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        password = None
        if created:
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save()
        # One role at a time: a new role replaces the others.
        user.groups.remove(*Group.objects.filter(name__in=ROLES.values()))
        user.groups.add(group)
        if password:
            self.stdout.write(
                self.style.SUCCESS(f"Added {username} as {group.name}, with the password {password} (shown once).")
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"{username} is now in {group.name}."))
