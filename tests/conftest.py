"""Shared fixtures: the seed's platforms (created by the data migration), accounts, snapshots and people."""

import os
import uuid
from contextlib import closing
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from accounts.models import User
from outreach.models import Account, Platform
from outreach.months import add_months
from tests.factories import AccountFactory

# What tells pytest-django that a test uses the database, besides its `django_db` mark.
DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


def _uses_database(item) -> bool:
    return item.get_closest_marker("django_db") is not None or not DATABASE_FIXTURES.isdisjoint(
        getattr(item, "fixturenames", ())
    )


def pytest_itemcollected(item):
    """`make test` runs the suite on several pytest-xdist workers with `--dist loadgroup`: tests that share
    a module-scoped fixture (a production server started once, a catalog parsed once) are put in one group,
    which runs on one worker, so that the fixture is still set up once and not once per worker."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None or not item.config.pluginmanager.has_plugin("xdist"):
        return  # without pytest-xdist, its mark is unknown (and --strict-markers refuses it)
    groups = set()
    for definitions in info.name2fixturedefs.values():
        used = definitions[-1]
        if not used.baseid:
            continue  # a plugin's (pytest-django's per-class setup), not a resource of ours
        if used.scope in ("module", "class"):
            groups.add(item.nodeid.split("::")[0])
        elif used.scope == "package":
            groups.add(used.baseid)
    for group in groups:
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Tests that need no database first, then pytest-django's order (tests in a transaction, then the
    transactional ones, whose flush empties the seeded tables, so they must stay last on each worker).

    The tests without a database hold the slowest (production servers in subprocesses, the benchmark); at
    the end, one of them would keep one worker busy alone while the others have finished. Trylast: after
    pytest-django's own sort, which this keeps (the sort is stable)."""
    items.sort(key=_uses_database)


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashing():
    """Passwords set and checked in this process (people the tests add, sign-ins through the pages and the
    live server) use PBKDF2 with fewer iterations: see tests/hashers.py. The servers started in
    subprocesses keep production's settings, and its hasher."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["tests.hashers.QuickPBKDF2PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts in the default language: a request in Chinese leaves Chinese active in the thread."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Each test starts with an empty cache, so that what a test counts (queries, a page built) does not
    depend on which test ran before it in the same process."""
    from django.core.cache import cache

    cache.clear()


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
def administrator(django_user_model):
    """A member of the Administrators group (not a superuser): everything, by role."""
    from django.contrib.auth.models import Group

    person = django_user_model.objects.create_user(username="root", password="a-long-admin-password")
    person.groups.add(Group.objects.get(name="Administrators"))
    return person


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

    def unavailable(reason: str):
        if os.environ.get("OUTREACH_REQUIRE_POSTGRES"):
            pytest.fail(reason)
        pytest.skip(reason)

    # Imported here: psycopg loads the system's libpq, which a machine without PostgreSQL may lack.
    try:
        import psycopg
        from psycopg import sql
    except ImportError as error:
        unavailable(f"psycopg cannot load libpq (Debian: apt-get install libpq5): {error}")
    try:
        admin = psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3)
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL is not reachable at 127.0.0.1:5432 as user postgres: {error}")
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
