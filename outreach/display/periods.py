"""Periods as the dashboard reads them: months grouped into quarters and years, and the period under way labelled
as far as it goes (“2024 to date (Jan–Mar)”).
"""

from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from outreach.months import add_months, month_short

GRANULARITIES = ("month", "quarter", "year")


def bucket_of(period: date, granularity: str) -> date:
    """The first month of the quarter or year a month falls in (the month itself for "month")."""
    if granularity == "quarter":
        return period.replace(month=(period.month - 1) // 3 * 3 + 1)
    if granularity == "year":
        return period.replace(month=1)
    return period


def bucket_label(bucket: date, granularity: str) -> str:
    if granularity == "quarter":
        return _("Q%(quarter)s %(year)s") % {"quarter": (bucket.month - 1) // 3 + 1, "year": bucket.year}
    if granularity == "year":
        return str(bucket.year)
    return month_short(bucket)


_BUCKET_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def shown_to(bucket: date, granularity: str, latest: date | None) -> date:
    """The last month of a quarter or year the figures reach: its own last month, or `latest` within it."""
    end = add_months(bucket, _BUCKET_MONTHS[granularity] - 1)
    return min(end, latest) if latest is not None else end


def under_way(bucket: date, granularity: str, latest: date | None) -> bool:
    """Whether a quarter or year holds the latest month shown before its own last month: “to date”."""
    if granularity == "month" or latest is None:
        return False
    return bucket_of(latest, granularity) == bucket and latest < shown_to(bucket, granularity, None)


def months_span(first: date, last: date) -> str:
    """Months of one year: “Jan–Mar”, or “Jan” for one."""
    if first == last:
        # Translators: one month of a year, as in “2024 to date (Jan)”; %(number)d is its number (1–12).
        return pgettext("a month of a year", "%(month)s") % {
            "month": formats.date_format(first, "M"),
            "number": first.month,
        }
    # Translators: months of one year, as in “2024 to date (Jan–Mar)”; %(first_number)d and %(last_number)d
    # are their numbers (1–12), for languages that write them as numbers (1–3月).
    return _("%(first)s–%(last)s") % {
        "first": formats.date_format(first, "M"),
        "last": formats.date_format(last, "M"),
        "first_number": first.month,
        "last_number": last.month,
    }


def months_reached(bucket: date, granularity: str, latest: date | None) -> str:
    """For a quarter or year under way at `latest`, the months the figures reach (“Jan–Mar”); else empty."""
    return months_span(bucket, latest) if under_way(bucket, granularity, latest) else ""


def period_label(bucket: date, granularity: str, latest: date | None = None) -> str:
    """A period as the charts label it; the quarter or year still under way at `latest` is “to date”:
    “2024 to date (Jan–Mar)”, “Q1 2024 to date (Jan–Feb)”."""
    if not under_way(bucket, granularity, latest):
        return bucket_label(bucket, granularity)
    values = {"year": bucket.year, "quarter": (bucket.month - 1) // 3 + 1, "months": months_span(bucket, latest)}
    if granularity == "quarter":
        return _("Q%(quarter)s %(year)s to date (%(months)s)") % values
    return _("%(year)s to date (%(months)s)") % values
