"""The only real figures we have: the seed article's, shipped with the project in `figures.csv`.

`illustrative_history` draws a plausible monthly history that ends exactly at the real figures. It is
made up: every snapshot it makes is flagged `is_illustrative`, and shown as such wherever it appears.
"""

import csv
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from outreach import metrics, numbers
from outreach.months import add_months, parse_month

FIGURES_CSV = Path(__file__).with_name("figures.csv")
MILESTONES_CSV = Path(__file__).with_name("milestones.csv")


@dataclass(frozen=True)
class SeedFact:
    """One row of the seed table: an account and its cumulative figures as of one month."""

    platform_slug: str
    account_name: str
    account_name_zh: str
    opened_on: date
    as_of: date
    figures: dict[str, int | None]
    approximate: bool
    source_sentence: str

    def snapshot(self, account):
        from outreach.models import MetricSnapshot

        return MetricSnapshot(
            account=account,
            period=self.as_of,
            approximate=self.approximate,
            note=f"Seed article: {self.source_sentence}",
            **self.figures,
        )


def _opened_on(text: str) -> date:
    # The article gives a day for China Science Communication and only a month for the others.
    return date.fromisoformat(text) if len(text) == 10 else parse_month(text)


def seed_facts() -> list[SeedFact]:
    """The seed article's figures, one per account."""
    with FIGURES_CSV.open(encoding="utf-8", newline="") as file:
        return [
            SeedFact(
                platform_slug=row["platform"],
                account_name=row["account"],
                account_name_zh=row["account_zh"],
                opened_on=_opened_on(row["opened_on"]),
                as_of=parse_month(row["as_of"]),
                figures={metric: numbers.parse_count(row[metric]) for metric in metrics.METRICS},
                approximate=row["approximate"] == "yes",
                source_sentence=row["source_sentence"],
            )
            for row in csv.DictReader(file)
        ]


@dataclass(frozen=True)
class SeedMilestone:
    """A dated event of the seed: an account's opening, or one named in `milestones.csv`."""

    date: date
    platform_slug: str
    title: str
    title_zh: str


def opening_milestone(account) -> SeedMilestone:
    """The milestone of an account's opening, titled after its platform in both languages."""
    platform = account.platform
    # "WeChat official account opened", "Douyin account opened"; "微信公众号开通", "抖音账号开通".
    title = (
        f"{platform.name_en} opened" if platform.name_en.endswith("account") else f"{platform.name_en} account opened"
    )
    title_zh = f"{platform.name_zh}开通" if platform.name_zh.endswith("号") else f"{platform.name_zh}账号开通"
    return SeedMilestone(date=account.opened_on, platform_slug=platform.slug, title=title, title_zh=title_zh)


def seed_events() -> list[SeedMilestone]:
    """The dated events the article names (`milestones.csv`)."""
    with MILESTONES_CSV.open(encoding="utf-8", newline="") as file:
        return [
            SeedMilestone(
                date=date.fromisoformat(row["date"]),
                platform_slug=row["platform"],
                title=row["title"],
                title_zh=row["title_zh"],
            )
            for row in csv.DictReader(file)
        ]


def illustrative_history(fact: SeedFact, account) -> list:
    """Made-up monthly snapshots from the opening month to the month before `fact.as_of`, ending below it.

    Each month adds a share of the final total that grows over time, with some noise; the same account
    always gets the same history.
    """
    from outreach.models import MetricSnapshot

    months = []
    month = fact.opened_on.replace(day=1)
    while month < fact.as_of:
        months.append(month)
        month = add_months(month, 1)
    if not months:
        return []
    generator = random.Random(f"{fact.platform_slug}/{fact.account_name}")
    # One extra month (as_of itself) so that the last illustrative total stays below the real one.
    weights = [(1 + 0.04 * index) * generator.uniform(0.6, 1.4) for index in range(len(months) + 1)]
    total_weight = sum(weights)
    snapshots = []
    running = 0.0
    for month, weight in zip(months, weights, strict=False):
        running += weight
        share = running / total_weight
        figures = {
            metric: (int(value * share) if value is not None else None) for metric, value in fact.figures.items()
        }
        snapshots.append(
            MetricSnapshot(
                account=account,
                period=month,
                is_illustrative=True,
                note="Illustrative: made up for the demo, not a real figure.",
                **figures,
            )
        )
    return snapshots
