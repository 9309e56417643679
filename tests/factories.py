"""The factories tests build accounts and snapshots with: written as the app writes them."""

from datetime import date

import factory

from outreach.models import Account, MetricSnapshot, Platform


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

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Written as the app writes figures: the dashboard's monthly totals follow.
        from outreach.services.totals import monthly_totals_following

        snapshot = model_class(*args, **kwargs)
        with monthly_totals_following([(snapshot.account_id, snapshot.period)]):
            snapshot.save()
        return snapshot
