"""The year-end forecast's backtest (`outreach.forecast`): its error and its 80% interval's coverage on months
held out, measured where the answer is known.

Two kinds of series, each forecast from every month January to November of its last years, with only the
months up to that one in hand, against the December that then came:
- synthetic: cumulative series with a known trend (yearly growth of 0–40%), seasons (a random yearly profile)
  and noise (5–30% of a month's growth), eight years each;
- the illustrative history the seed gives the museum's four accounts (`outreach.seed.illustrative_history`).

It reports the median and mean absolute error of the growth still to come (the forecast's own part, as a share
of what did come), and how often the 80% interval held December's total. Run by `make bench`, or
`.venv/bin/python -m bench.backtest [--series 300]`; prints a table and saves `bench/results/backtest.json`.
"""

import argparse
import json
import os
import random
import statistics
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings")


def synthetic_series(seed: int, years: int = 8) -> dict[date, int]:
    """A cumulative monthly series: a yearly profile of seasons, a yearly growth factor, multiplicative noise."""
    rng = random.Random(seed)
    season = [rng.uniform(0.5, 1.5) for _ in range(12)]
    yearly = rng.uniform(1.0, 1.4)
    noise = rng.uniform(0.05, 0.3)
    level = rng.uniform(50, 5000)
    values, total = {}, rng.randint(0, 10_000)
    for index in range(years * 12):
        period = date(2017 + index // 12, index % 12 + 1, 1)
        growth = level * season[period.month - 1] * yearly ** (index / 12) * max(0.0, 1 + rng.gauss(0, noise))
        total += round(growth)
        values[period] = total
    return values


def illustrative_series() -> dict[str, dict[date, int]]:
    """The seed's illustrative history of each account and figure, as the demo loads it."""
    import django

    django.setup()
    from outreach.models import Account, Platform
    from outreach.seed import illustrative_history, seed_facts

    found = {}
    for fact in seed_facts():
        account = Account(platform=Platform(slug=fact.platform_slug), name=fact.account_name, opened_on=fact.opened_on)
        snapshots = illustrative_history(fact, account)
        for metric, final in fact.figures.items():
            if final is None:
                continue
            series = {snapshot.period: getattr(snapshot, metric) for snapshot in snapshots}
            found[f"{fact.platform_slug} {metric}"] = series
    return found


def evaluate(series: dict[date, int], *, years: int = 3, cumulative: bool = True) -> list[dict]:
    """The forecast from every month January to November of the series' last `years` whole years."""
    from outreach.forecast import monthly_growth, year_end_forecast

    decembers = sorted(period for period in series if period.month == 12)[-years:]
    results = []
    for december in decembers:
        for month in range(1, 12):
            origin = date(december.year, month, 1)
            if origin not in series:
                continue
            known = {period: value for period, value in series.items() if period <= origin}
            forecast = year_end_forecast(
                monthly_growth(known), origin=origin, current=series[origin], cumulative=cumulative
            )
            if forecast is None:
                continue
            to_come = series[december] - series[origin]
            results.append(
                {
                    "error": abs(forecast.year_end - series[december]) / max(to_come, 1),
                    "held": None if forecast.low is None else forecast.low <= series[december] <= forecast.high,
                }
            )
    return results


def summary(name: str, results: list[dict]) -> dict:
    errors = [result["error"] for result in results]
    held = [result["held"] for result in results if result["held"] is not None]
    return {
        "series": name,
        "forecasts": len(results),
        "median_error": statistics.median(errors) if errors else None,
        "mean_error": statistics.mean(errors) if errors else None,
        "intervals": len(held),
        "coverage": sum(held) / len(held) if held else None,
    }


def percent(value) -> str:
    return "–" if value is None else f"{value:.1%}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=300, help="How many synthetic series (default 300).")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "backtest.json")
    options = parser.parse_args(argv)

    synthetic = [result for seed in range(options.series) for result in evaluate(synthetic_series(seed))]
    illustrative = illustrative_series()
    rows = [summary(f"synthetic ({options.series} series)", synthetic)]
    rows += [
        summary(f"illustrative: {name}", evaluate(values, cumulative=not name.endswith("followers")))
        for name, values in illustrative.items()
    ]
    every = [
        result
        for name, values in illustrative.items()
        for result in evaluate(values, cumulative=not name.endswith("followers"))
    ]
    rows.append(summary("illustrative: all", every))

    print("| series | forecasts | median error of the growth to come | mean | 80% intervals | held the outcome |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['series']} | {row['forecasts']} | {percent(row['median_error'])} | {percent(row['mean_error'])} "
            f"| {row['intervals']} | {percent(row['coverage'])} |"
        )
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
