"""Shared fixtures: the seed's platforms (created by the data migration), accounts, snapshots and people."""

import os
import uuid
from contextlib import closing
from datetime import date

import psycopg2
import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from psycopg2 import sql

from accounts.models import User
from outreach.models import Account, Platform
from outreach.months import add_months
from tests.factories import AccountFactory


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts in the default language: a request in Chinese leaves Chinese active in the thread."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def this_month() -> date:
    return timezone.localdate().replace(day=1)


@pytest.fixture
def next_month(this_month) -> date:
    return add_months(this_month, 1)


@pytest.fixture
def platform():
    """Look up a seeded platform by slug."""
    return lambda slug: Platform.objects.get(slug=slug)


@pytest.fixture
def wechat_account(platform):
    return AccountFactory(
        platform=platform("wechat"), name="Shanghai Science & Technology Museum", name_zh="上海科技馆"
    )


@pytest.fixture
def douyin_account(platform):
    return AccountFactory(
        platform=platform("douyin"),
        name="Shanghai Science & Technology Museum",
        name_zh="上海科技馆",
        opened_on=date(2018, 8, 1),
    )


@pytest.fixture
def staff_user(db):
    """A member of staff who enters figures: the admin, snapshots only."""
    user = User.objects.create_user(username="staff", password="a-long-staff-password", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="outreach", codename__endswith="metricsnapshot")
    )
    return user


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def staff_app(django_app, staff_user):
    """The member of staff in a browser (django-webtest): pages as rendered, forms as a person fills them."""
    django_app.set_user(staff_user)
    return django_app


@pytest.fixture
def manager_client(client, django_user_model):
    """A member of the Managers group, signed in: sees the figures, changes nothing."""
    from django.contrib.auth.models import Group

    manager = django_user_model.objects.create_user(username="manager", password="a-long-manager-password")
    manager.groups.add(Group.objects.get(name="Managers"))
    client.force_login(manager)
    return client


def restore_migrated_data() -> None:
    """What the data migrations made (the platforms, the roles): a transactional test empties every table."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    from accounts.roles import ensure_roles

    importlib.import_module("outreach.migrations.0002_seed_platforms").create_platforms(apps, None)
    ensure_roles(Group, Permission)


@pytest.fixture
def seeded_for_real_transactions(transactional_db):
    """`seeded` for a test whose writes really commit (other connections, a live server): those start empty."""
    from django.core.management import call_command

    restore_migrated_data()
    call_command("load_seed_figures", verbosity=0)
    return {account.platform.slug: account for account in Account.objects.select_related("platform")}


@pytest.fixture
def seeded(db):
    """The seed article's accounts and real February 2024 figures, as `load_seed_figures` makes them."""
    from django.core.management import call_command

    call_command("load_seed_figures", verbosity=0)
    return {account.platform.slug: account for account in Account.objects.select_related("platform")}


@pytest.fixture
def postgres_databases():
    """Make new, empty databases on the local PostgreSQL server (127.0.0.1:5432, user postgres); all are
    dropped afterwards. Skips without a server, unless OUTREACH_REQUIRE_POSTGRES is set (as in CI)."""
    try:
        admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3)
    except psycopg2.OperationalError as error:
        reason = f"PostgreSQL is not reachable at 127.0.0.1:5432 as user postgres: {error}"
        if os.environ.get("OUTREACH_REQUIRE_POSTGRES"):
            pytest.fail(reason)
        pytest.skip(reason)
    admin.autocommit = True
    made = []

    def make() -> str:
        name = f"outreach_test_{uuid.uuid4().hex[:12]}"
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        made.append(name)
        return name

    with closing(admin):
        try:
            yield make
        finally:
            with admin.cursor() as cursor:
                for name in made:
                    cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def fresh_postgres_database(postgres_databases) -> str:
    """The name of a new, empty database on the local PostgreSQL server; dropped afterwards."""
    return postgres_databases()


@pytest.fixture
def browser_of(django_app):
    """An independent django-webtest app per person (their own cookies), for two people at once.

    They share the settings `django_app` patched once; django-webtest's factory would patch them again
    per app and leave them patched after the test.
    """
    from django_webtest import DjangoTestApp

    def make(user):
        app = DjangoTestApp()
        app.set_user(user)
        return app

    return make
