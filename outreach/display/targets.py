"""The yearly targets beside a card: the year-end total aimed at, the share of the year's planned growth made,
and whether that is on track, saying against which pace (`progress`). A card over several accounts shows one
total only where every account it counts has a target; otherwise it says how many do."""

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outreach import numbers
from outreach.display.cards import Card, PlatformCards
from outreach.months import month_short
from outreach.progress import SEASONAL, TargetProgress, pace_for


@dataclass(frozen=True)
class CardTarget:
    """A card's target: its progress, or why there is none to show (`note`)."""

    year: int
    kinds: frozenset[str]
    progress: TargetProgress | None = None
    note: str = ""
    illustrative: bool = False  # built on illustrative figures (the year's start, the month, the seasons' pace)

    @property
    def heading(self) -> str:
        """“Target for 2024: 2,900,000 at the year's end”, “Target for 2024: +60 over the year”."""
        if self.progress is None:
            return _("Targets for %(year)s") % {"year": self.year}
        if self.kinds == {"growth"}:
            return _("Target for %(year)s: %(growth)s over the year") % {
                "year": self.year,
                "growth": f"{self.progress.planned_growth:+,}",
            }
        return _("Target for %(year)s: %(total)s at the year's end") % {
            "year": self.year,
            "total": numbers.format_count(self.progress.aimed_at),
        }

    @property
    def made(self) -> str:
        """“20.6% of the year's planned growth made (+70,000 of +340,000)”, or reached, or nothing planned."""
        progress = self.progress
        if progress is None:
            return ""
        if progress.reached:
            return _("Reached: %(current)s of %(target)s") % {
                "current": numbers.format_count(progress.current),
                "target": numbers.format_count(progress.aimed_at),
            }
        if progress.share is None:
            return _("The target is not above the figure at the year's start (%(start)s).") % {
                "start": numbers.format_count(progress.start)
            }
        return _("%(share)s of the year's planned growth made (%(growth)s of %(planned)s)") % {
            "share": f"{progress.share:.1%}",
            "growth": f"{progress.growth:+,}",
            "planned": f"{progress.planned_growth:+,}",
        }

    @property
    def pace(self) -> str:
        """“On track: 16.7% expected by Feb 2024 at a straight line” / “Behind: … at its pace of past years”."""
        progress = self.progress
        if progress is None or progress.reached or progress.share is None:
            return ""
        values = {"expected": f"{progress.pace.expected:.1%}", "month": month_short(progress.month)}
        if progress.pace.kind == SEASONAL:
            against = ngettext(
                "%(expected)s expected by %(month)s at its pace of the past year",
                "%(expected)s expected by %(month)s at its pace of the past %(years)d years",
                progress.pace.years,
            ) % {**values, "years": progress.pace.years}
        else:
            against = _("%(expected)s expected by %(month)s at a straight-line pace") % values
        verdict = _("On track") if progress.on_track else _("Behind")
        return _("%(verdict)s: %(against)s") % {"verdict": verdict, "against": against}

    @property
    def on_track(self) -> bool | None:
        return None if self.progress is None else self.progress.on_track


def card_target(reads, *, metric: str, platform_ids: Iterable[int], expected: int) -> CardTarget | None:
    """The target of one card (the figure `metric` over the platforms `platform_ids`, whose `expected` accounts
    report it) from `selectors.targets.target_reads`; None where no account it counts has one."""
    ids = set(platform_ids)
    targets = [target for target in reads.targets if target.metric == metric and target.platform_id in ids]
    if not targets:
        return None
    kinds = frozenset(target.kind for target in targets)
    if len(targets) < expected:
        note = ngettext(
            "Targets cover %(count)d of the %(expected)d accounts: no total is shown.",
            "Targets cover %(count)d of the %(expected)d accounts: no total is shown.",
            len(targets),
        ) % {"count": len(targets), "expected": expected}
        return CardTarget(reads.year, kinds, note=note)
    if any(target.start is None for target in targets):
        note = _("The year's start is not known: not every account with a target reported %(month)s.") % {
            "month": month_short(date(reads.year - 1, 12, 1))
        }
        return CardTarget(reads.year, kinds, note=note)
    if any(target.current is None for target in targets):
        note = _("Not every account with a target has reported %(month)s yet.") % {"month": month_short(reads.month)}
        return CardTarget(reads.year, kinds, note=note)
    start = sum(target.start for target in targets)
    aimed_at = sum(target.value if target.kind == "year_end" else target.start + target.value for target in targets)
    # The seasons of these accounts together: the months every one of them reported.
    together: dict[date, list[int]] = {}
    for platform_id in ids:
        for period, (total, reporting, illustrative) in reads.seasons.get((platform_id, metric), {}).items():
            sums = together.setdefault(period, [0, 0, 0])
            sums[0] += total
            sums[1] += reporting
            sums[2] += illustrative
    whole = {period: sums for period, sums in together.items() if sums[1] == len(targets)}
    history = {period: total for period, (total, _reporting, _illustrative) in whole.items()}
    progress = TargetProgress(
        year=reads.year,
        month=reads.month,
        start=start,
        current=sum(target.current for target in targets),
        aimed_at=aimed_at,
        pace=pace_for(reads.month.month, history, year=reads.year),
    )
    illustrative = any(target.illustrative for target in targets) or (
        progress.pace.kind == SEASONAL and any(sums[2] for period, sums in whole.items() if period.year < reads.year)
    )
    return CardTarget(reads.year, kinds, progress=progress, illustrative=illustrative)


def with_targets(cards: list[Card], groups: list[PlatformCards], reads, platform_ids: list[int]):
    """The headline cards and the platform cards, each with its target (`Card.target`)."""
    if reads is None or not reads.targets:
        return cards, groups
    headline = [
        dataclasses.replace(
            card, target=card_target(reads, metric=card.metric, platform_ids=platform_ids, expected=card.expected)
        )
        for card in cards
    ]
    platforms = [
        dataclasses.replace(
            group,
            cards=[
                dataclasses.replace(
                    card,
                    target=card_target(
                        reads, metric=card.metric, platform_ids=[group.platform.pk], expected=card.expected
                    ),
                )
                for card in group.cards
            ],
        )
        for group in groups
    ]
    return headline, platforms
