"""The three roles exist after migrating, and `add_person` puts people in them."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.pages import sign_in

pytestmark = pytest.mark.django_db


def test_the_migrations_create_the_three_groups_with_their_permissions():
    groups = {group.name: group for group in Group.objects.prefetch_related("permissions")}

    assert set(groups) >= {"Staff", "Managers", "Administrators"}
    codenames = {name: {p.codename for p in group.permissions.all()} for name, group in groups.items()}
    assert "view_metricsnapshot" in codenames["Managers"] and "change_metricsnapshot" not in codenames["Managers"]
    assert {"add_metricsnapshot", "change_metricsnapshot"} <= codenames["Staff"]
    assert "change_account" not in codenames["Staff"]
    assert {"change_account", "change_platform", "change_user", "add_group"} <= codenames["Administrators"]


def test_add_person_creates_a_manager_who_can_sign_in_and_see_the_dashboard(capsys, django_app):
    call_command("add_person", "ling", "--role", "manager")

    password = re.search(r"with the password (\S+) \(shown once\)", capsys.readouterr().out).group(1)
    page = sign_in(django_app, reverse("dashboard"), "ling", password)
    assert page.status_code == 200 and page.request.path == reverse("dashboard")
    assert page.html.select_one(".user").get_text(strip=True) == "ling"
    assert django_app.get(reverse("admin:index"), expect_errors=True).status_code == 403


def test_a_new_role_replaces_the_old_one(capsys):
    call_command("add_person", "wei", "--role", "manager")
    call_command("add_person", "wei", "--role", "staff")

    user = get_user_model().objects.get(username="wei")
    assert list(user.groups.values_list("name", flat=True)) == ["Staff"]
    assert "wei is now in Staff." in capsys.readouterr().out


def test_an_unknown_role_is_refused():
    with pytest.raises(CommandError):
        call_command("add_person", "x", "--role", "boss")
