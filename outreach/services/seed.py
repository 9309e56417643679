"""The seed article's figures and milestones, loaded on a fresh install, and the illustrative history removed on
request.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from outreach import seed
from outreach.models import Account, MetricSnapshot, Milestone, Platform
from outreach.services.snapshots import snapshots_delete, touched_keys
from outreach.services.totals import monthly_totals_following


@dataclass
class SeedResult:
    """What loading the seed did."""

    accounts_created: int = 0
    real_created: int = 0
    illustrative_created: int = 0
    kept: int = 0
    milestones_created: int = 0
    refused: list[str] = field(default_factory=list)


def seed_figures_load(*, illustrative_history: bool) -> SeedResult:
    """Create the seed's accounts and real snapshots (and optionally an illustrative history); idempotent.

    Every snapshot goes through the rule set; an existing one (perhaps corrected by staff) is kept as it is.
    """
    result = SeedResult()
    milestones = []
    with transaction.atomic():
        for fact in seed.seed_facts():
            platform = Platform.objects.get(slug=fact.platform_slug)
            account, created = Account.objects.get_or_create(
                platform=platform,
                name=fact.account_name,
                defaults={"name_zh": fact.account_name_zh, "opened_on": fact.opened_on},
            )
            result.accounts_created += created
            snapshots = [fact.snapshot(account)]
            if illustrative_history:
                snapshots = seed.illustrative_history(fact, account) + snapshots
            milestones.append((account, seed.opening_milestone(account)))
            existing = set(MetricSnapshot.objects.filter(account=account).values_list("period", flat=True))
            with monthly_totals_following(touched_keys(snapshots)):
                for snapshot in snapshots:
                    if snapshot.period in existing:
                        result.kept += 1
                        continue
                    try:
                        snapshot.full_clean()
                    except ValidationError as error:
                        result.refused.append(f"{snapshot}: {'; '.join(error.messages)}")
                        continue
                    snapshot.save()
                    if snapshot.is_illustrative:
                        result.illustrative_created += 1
                    else:
                        result.real_created += 1
        accounts = {account.platform.slug: account for account, _milestone in milestones}
        milestones += [(accounts.get(event.platform_slug), event) for event in seed.seed_events()]
        for account, milestone in milestones:
            _created_milestone, created = Milestone.objects.get_or_create(
                date=milestone.date,
                title=milestone.title,
                defaults={"title_zh": milestone.title_zh, "account": account},
            )
            result.milestones_created += created
    return result


def illustrative_snapshots_remove() -> int:
    """Delete every illustrative snapshot; returns how many."""
    return snapshots_delete(MetricSnapshot.objects.filter(is_illustrative=True))
