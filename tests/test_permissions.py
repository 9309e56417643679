"""Who may open what: every URL the project routes, for anonymous visitors, managers, staff and administrators.

The URLs are discovered from the URL configuration: a new page without an entry here fails the test.
"""

import re
from datetime import date

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from outreach.models import Milestone, ReportDelivery, ReportSubscription, SnapshotImport, Target
from outreach.reports.links import unsubscribe_token
from tests.factories import SnapshotFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "manager", "staff", "administrator")
SIGNED_IN = {"anonymous": 302, "manager": 200, "staff": 200, "administrator": 200}
ADMIN_USERS = {"anonymous": 302, "manager": 403, "staff": 200, "administrator": 200}

# Pages that are not a model's admin page: the status each role gets for a GET.
PAGES = {
    "dashboard": SIGNED_IN,
    "recent_changes": SIGNED_IN,
    "monthly_report": SIGNED_IN,
    "yearly_report": SIGNED_IN,
    "monthly_report_pdf": SIGNED_IN,
    "yearly_report_pdf": SIGNED_IN,
    "snapshots_csv": SIGNED_IN,
    "snapshots_xlsx": SIGNED_IN,
    "summary_csv": SIGNED_IN,
    "summary_xlsx": SIGNED_IN,
    "report_subscription": SIGNED_IN,
    # Public: its signed token is the authority, so that the link in the mail works signed out. A GET only asks.
    "report_unsubscribe": dict.fromkeys(ROLES, 200),
    "healthz": dict.fromkeys(ROLES, 200),
    "accounts:login": {"anonymous": 200, "manager": 302, "staff": 302, "administrator": 302},
    "accounts:logout": dict.fromkeys(ROLES, 405),  # POST only
    # Public: a person who forgot their password is not signed in. A link that is not (or no longer) valid
    # gets the page that says so.
    "accounts:password_reset": dict.fromkeys(ROLES, 200),
    "accounts:password_reset_done": dict.fromkeys(ROLES, 200),
    "accounts:password_reset_confirm": dict.fromkeys(ROLES, 200),
    "accounts:password_reset_complete": dict.fromkeys(ROLES, 200),
    "set_language": dict.fromkeys(ROLES, 302),  # POST changes the language; a GET only goes back
    "admin:index": ADMIN_USERS,
    "admin:login": dict.fromkeys(ROLES, 302),  # hands over to the one sign-in page
    "admin:logout": {"anonymous": 302, "manager": 403, "staff": 405, "administrator": 405},  # POST only
    "admin:password_change": ADMIN_USERS,
    "admin:password_change_done": ADMIN_USERS,
    "admin:jsi18n": ADMIN_USERS,
    "admin:app_list": ADMIN_USERS,
    "admin:autocomplete": {"anonymous": 302, "manager": 403, "staff": 403, "administrator": 403},
    "admin:view_on_site": {"anonymous": 302, "manager": 403, "staff": 302, "administrator": 302},
    "admin:outreach_month_grid": ADMIN_USERS,
    "admin:outreach_import": ADMIN_USERS,
    # A preview belongs to whoever uploaded it (staff here).
    "admin:outreach_import_preview": {"anonymous": 302, "manager": 403, "staff": 200, "administrator": 404},
    "admin:auth_user_password_change": {"anonymous": 302, "manager": 403, "staff": 403, "administrator": 200},
}

ALL_ACTIONS = {"changelist", "add", "change", "delete", "history", "simple_history"}
VIEW_ACTIONS = {"changelist", "change", "history", "simple_history"}
# What each role may open of each model's admin pages; everything else is 403 (302 for anonymous).
MODEL_PAGES = {
    "staff": {
        "outreach.metricsnapshot": ALL_ACTIONS,
        "outreach.milestone": ALL_ACTIONS,
        "outreach.account": VIEW_ACTIONS,
        "outreach.platform": VIEW_ACTIONS,
        "outreach.snapshotimport": VIEW_ACTIONS,
    },
    "administrator": {
        "outreach.metricsnapshot": ALL_ACTIONS,
        "outreach.milestone": ALL_ACTIONS,
        "outreach.account": ALL_ACTIONS,
        "outreach.platform": ALL_ACTIONS,
        # Imports are made by uploading a file, never typed in; their record is read-only.
        "outreach.snapshotimport": VIEW_ACTIONS | {"delete"},
        "outreach.reportsubscription": ALL_ACTIONS,
        "outreach.target": ALL_ACTIONS,
        # Written by the scheduled run alone, and kept: read, never typed or deleted.
        "outreach.reportdelivery": VIEW_ACTIONS,
        "accounts.user": ALL_ACTIONS,
        "auth.group": ALL_ACTIONS,
        # Sign-in records are written by django-axes alone.
        "axes.accessattempt": ALL_ACTIONS - {"add"},
        "axes.accesslog": ALL_ACTIONS - {"add"},
        "axes.accessfailurelog": ALL_ACTIONS - {"add"},
    },
}
MODEL_URL = re.compile(
    r"^admin:(?P<app>[a-z]+)_(?P<model>[a-z]+)_(?P<action>changelist|add|change|delete|history|simple_history)$"
)


def routes(patterns=None, prefix="", namespace=""):
    """Every (route, name) the project routes; name is None for unnamed patterns."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            yield prefix + str(pattern.pattern), (namespace + pattern.name) if pattern.name else None


@pytest.fixture
def people(django_user_model):
    users = {}
    for role, group in (("manager", "Managers"), ("staff", "Staff"), ("administrator", "Administrators")):
        user = django_user_model.objects.create_user(username=role, password=f"a-long-{role}-password")
        user.groups.add(Group.objects.get(name=group))
        users[role] = user
    return users


@pytest.fixture
def objects(people, seeded):
    """One object of every model with admin pages, so that every page has something to show."""
    snapshot = SnapshotFactory(account=seeded["wechat"], period=date(2024, 3, 1), articles=1010, views=20_100_000)
    milestone = Milestone.objects.create(date=date(2023, 8, 6), title="Opened")
    attempt = AccessAttempt.objects.create(username="x", ip_address="127.0.0.1", failures_since_start=1)
    platform = seeded["wechat"].platform
    platform.save()  # the seeded platforms predate their history: give this one a version
    return {
        "outreach.metricsnapshot": snapshot,
        "outreach.milestone": milestone,
        "outreach.account": seeded["wechat"],
        "outreach.platform": platform,
        "outreach.snapshotimport": SnapshotImport.objects.create(
            file_name="march.csv",
            content=b"platform,account,period,articles,videos,views,followers\r\nwechat,SSTM,2024-04,,,1,\r\n",
            uploaded_by=people["staff"],
        ),
        "outreach.reportsubscription": ReportSubscription.objects.create(user=people["manager"], language="en"),
        "outreach.reportdelivery": ReportDelivery.objects.create(
            user=people["manager"], period=date(2024, 2, 1), language="en", address="manager@museum.example"
        ),
        "outreach.target": Target.objects.create(
            account=seeded["wechat"], year=2024, metric="followers", kind="year_end", value=2_900_000
        ),
        "accounts.user": people["manager"],
        "auth.group": Group.objects.get(name="Managers"),
        "axes.accessattempt": attempt,
        "axes.accesslog": AccessLog.objects.create(username="x", ip_address="127.0.0.1"),
        "axes.accessfailurelog": AccessFailureLog.objects.create(username="x", ip_address="127.0.0.1"),
    }


def url_for(name: str | None, route: str, objects: dict) -> str:
    if name is None:
        model = route.split("/")[1] + "." + route.split("/")[2]
        return reverse(f"admin:{model.replace('.', '_')}_change", args=(objects[model].pk,)).removesuffix("change/")
    match = MODEL_URL.match(name)
    if match:
        key = f"{match['app']}.{match['model']}"
        if match["action"] in ("changelist", "add"):
            return reverse(name)
        obj = objects[key]
        if match["action"] == "simple_history":
            return reverse(name, args=(obj.pk, obj.history.latest().history_id))
        return reverse(name, args=(obj.pk,))
    arguments = {
        "admin:app_list": {"kwargs": {"app_label": "outreach"}},
        "admin:view_on_site": {
            "args": (
                objects["outreach.metricsnapshot"]._meta.app_label and _content_type_id(objects),
                objects["outreach.metricsnapshot"].pk,
            )
        },
        "admin:outreach_import_preview": {"args": (objects["outreach.snapshotimport"].pk,)},
        "admin:auth_user_password_change": {"args": (objects["accounts.user"].pk,)},
        "accounts:password_reset_confirm": {"args": ("MQ", "not-a-token")},
        "monthly_report": {"kwargs": {"month": "2024-02"}},
        "yearly_report": {"kwargs": {"year": 2024}},
        "monthly_report_pdf": {"kwargs": {"month": "2024-02"}},
        "yearly_report_pdf": {"kwargs": {"year": 2024}},
        "report_unsubscribe": {"kwargs": {"token": unsubscribe_token(objects["outreach.reportsubscription"].user)}},
    }
    return reverse(name, **arguments.get(name, {}))


def _content_type_id(objects) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(objects["outreach.metricsnapshot"]).pk


def expected_status(name: str | None, route: str, role: str) -> int:
    if name is None:
        key, action = route.split("/")[1] + "." + route.split("/")[2], "redirect"
    elif MODEL_URL.match(name):
        match = MODEL_URL.match(name)
        key, action = f"{match['app']}.{match['model']}", match["action"]
    else:
        return PAGES[name][role]
    if role == "anonymous":
        return 302
    if action == "redirect":
        # `<id>/` only redirects to the change page, which then checks the model's permissions.
        return 403 if role == "manager" else 302
    allowed = action in MODEL_PAGES.get(role, {}).get(key, set())
    return 200 if allowed else 403


def test_every_routed_url_is_in_the_matrix():
    unknown = []
    for route, name in routes():
        if route == "admin/(?P<url>.*)$":
            continue  # the admin's catch-all for unknown addresses
        if name is None:
            if not route.endswith("<path:object_id>/"):
                unknown.append(route)
        elif not (name in PAGES or MODEL_URL.match(name)):
            unknown.append(name)
    assert unknown == [], "add these pages to the permission matrix"


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_it_should(role, people, objects):
    client = Client()
    if role != "anonymous":
        client.force_login(people[role])
    wrong = []
    for route, name in routes():
        if route == "admin/(?P<url>.*)$":
            continue
        url = url_for(name, route, objects)
        status = client.get(url).status_code
        expected = expected_status(name, route, role)
        if status != expected:
            wrong.append((url, expected, status))
    assert wrong == []


def test_anonymous_visitors_are_sent_to_sign_in_and_signed_in_people_without_the_permission_get_403(people):
    anonymous = Client().get(reverse("dashboard"))
    guest = Client()
    guest.force_login(type(people["manager"]).objects.create_user(username="guest", password="a-long-guest-pw"))

    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("accounts:login"))
    denied = guest.get(reverse("dashboard"))
    assert denied.status_code == 403
    assert "An administrator can give you access" in denied.content.decode()
    assert guest.get(reverse("admin:index")).status_code == 403
