"""Shared fixtures: the seed's platforms (created by the data migration), accounts, snapshots and people."""

from datetime import date

import factory
import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from accounts.models import User
from outreach.models import Account, MetricSnapshot, Platform
from outreach.months import add_months


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    platform = factory.LazyFunction(lambda: Platform.objects.get(slug="wechat"))
    name = factory.Sequence(lambda n: f"Museum account {n}")
    opened_on = date(2015, 6, 1)


class SnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetricSnapshot

    account = factory.SubFactory(AccountFactory)
    period = date(2024, 2, 1)
    articles = 1000
    views = 20_000_000
    followers = 2_630_000


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
def seeded(db):
    """The seed article's accounts and real February 2024 figures, as `load_seed_figures` makes them."""
    from django.core.management import call_command

    call_command("load_seed_figures", verbosity=0)
    return {account.platform.slug: account for account in Account.objects.select_related("platform")}
