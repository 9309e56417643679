"""Plotly figures of the dashboard: pure functions, series in, figure out; no database.

A figure is the JSON plotly.js draws ({"data": [...], "layout": {...}}), built as plain dicts: Plotly's
Python objects validate every attribute as it is set, which cost more than the rest of the page. The
tests pass every figure through `plotly.graph_objects.Figure` to check it.

Every figure has a title, exact values with thousands separators in its hover text, months on the
axis as periods, and each platform in its own colour and dash so that lines read in greyscale too.
Approximate (lower bound) points are triangles, illustrative ones hollow, and their hover says so.

One module past 350 lines on purpose: the four figures share their layout, axes, hovers, marks and
text alternatives, and split apart each would import the rest (charts are one concern).
"""

import math
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from outreach.language import is_chinese
from outreach.months import add_months, month_short
from outreach.numbers import names_listed, short_count

PERIODS = {"month": "M1", "quarter": "M3", "year": "M12"}


DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


SYMBOLS = ("circle", "square", "diamond", "cross", "x", "star")


# The page's fonts (static/outreach/site.css says why WenQuanYi Micro Hei comes before Noto CJK).
FONT = (
    '-apple-system, "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Segoe UI", Roboto, '
    "sans-serif"
)


@dataclass(frozen=True)
class Point:
    """One value of a series: a month (or quarter, year) and its figure, with what to say about it."""

    period: date
    value: int
    label: str = ""
    approximate: bool = False
    illustrative: bool = False
    notes: tuple[str, ...] = ()
    under_way: str = ""  # a quarter or year the figures reach part of: the months they reach (“Jan–Mar”)
    coverage: str = ""  # “covers 3 of 4 accounts”, where it sums fewer accounts than expected
    compared: str = ""  # a period still under way: the same months a year before, “Jan–Mar 2023: +12,345”


@dataclass(frozen=True)
class Series:
    """A line or a set of bars: an account's or a platform's points, in its colour, dash and marker."""

    name: str
    color: str
    dash: str = "solid"
    symbol: str = "circle"
    points: list[Point] = field(default_factory=list)
    left_out: tuple[date, ...] = ()  # months left out of a line: not every account expected reported them


@dataclass(frozen=True)
class LineForecast:
    """A line's year-end forecast (`forecast.Forecast`, None with too little history) and target (its year-end
    total aimed at, where every account of the line has one), drawn from the line's last point to December."""

    name: str
    color: str
    last: Point
    forecast: object = None
    target: int | None = None
    illustrative: bool = False


@dataclass(frozen=True)
class MilestoneMark:
    """A dated event drawn on the time axis."""

    day: date
    title: str


def _customdata(points: list[Point], *, month_labels: bool = False) -> list[list[str]]:
    """Each point's label (its month's, with `month_labels`) and notes, as the hover template shows them."""
    language = get_language()
    approximate, illustrative = _flag_notes(language)
    data = []
    for point in points:
        notes = list(point.notes)
        if point.coverage:
            notes.append(point.coverage)
        if point.compared:
            notes.append(point.compared)
        if point.approximate:
            notes.append(approximate)
        if point.illustrative:
            notes.append(illustrative)
        label = month_short(point.period, language) if month_labels or not point.label else point.label
        data.append([label, "".join(f"<br>{note}" for note in notes)])
    return data


# Looked up once per language, not once for each of a national dashboard's thousands of points.
@lru_cache(maxsize=8)
def _flag_notes(language: str | None) -> tuple[str, str]:
    return _("lower bound (“more than”)"), _("illustrative, not a real figure")


def _stacked_extremes(series: list[Series]) -> list[int]:
    """The highest and lowest a stack of bars reaches, period by period."""
    ups: dict = {}
    downs: dict = {}
    for bars in series:
        for point in bars.points:
            bucket = ups if point.value >= 0 else downs
            bucket[point.period] = bucket.get(point.period, 0) + point.value
    return [*ups.values(), *downs.values()]


def _nice_step(largest: float, count: int = 5) -> float:
    raw = max(largest, 1) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(step * magnitude for step in (1, 2, 2.5, 5, 10) if step * magnitude >= raw)


def _value_axis(values: list[int], scale: str = "linear") -> dict:
    """The value axis: 20M in English; in Chinese, 2000万 (Plotly's own short form knows no 万 or 亿)."""
    if not is_chinese():
        return {"type": scale, "tickformat": "~s"}
    if scale == "log" or not values:
        return {"type": scale, "tickformat": ",d"}
    low, high = min(0, min(values)), max(0, max(values))
    step = _nice_step(high - low)
    ticks = [step * index for index in range(math.floor(low / step), math.ceil(high / step) + 1)]
    return {
        "type": scale,
        "tickvals": ticks,
        "ticktext": [("-" if tick < 0 else "") + short_count(int(abs(tick))) for tick in ticks],
    }


def _no_growth() -> str:
    # Said by the growth charts when there are figures but no account has two reports of this one yet.
    return _("No growth to show yet: growth takes two reported months of a figure.")


def _say_when_empty(figure: dict, has_points: bool, text: str = "") -> None:
    if not has_points:
        figure["layout"].setdefault("annotations", []).append(
            {
                "text": text or _("No figures of this kind for these filters"),
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
            }
        )


def _described(figure: dict, parts: list[str], empty: str = "") -> None:
    """The chart's text alternative, read by screen readers in place of the drawing: its figures in words."""
    text = " ".join(parts) if parts else empty or _("No figures of this kind for these filters")
    figure["layout"]["meta"]["description"] = text


# A description lists at most this many months, the latest: past them it says how many more there are.
LISTED_AT_MOST = 6


def _listed(items: list[tuple[date, str]]) -> str:
    """Items by month (“Mar 2024 (Douyin)”), oldest first, as one list: the latest few, and how many before."""
    ordered = [text for _period, text in sorted(items, key=lambda item: item[0])]
    shown = "; ".join(ordered[-LISTED_AT_MOST:])
    earlier = len(ordered) - LISTED_AT_MOST
    if earlier <= 0:
        return shown
    earlier_text = ngettext("and %(count)d earlier month", "and %(count)d earlier months", earlier) % {"count": earlier}
    return _("%(listed)s; %(earlier)s") % {"listed": shown, "earlier": earlier_text}


def _noted(item: str, note: str) -> str:
    return _("%(item)s (%(note)s)") % {"item": item, "note": note}


def _coverage_sentence(items: list[tuple[date, str]]) -> str:
    return _("Bars that count fewer accounts than expected: %(months)s.") % {"months": _listed(items)}


def _exact(value: int, *, signed: bool = False) -> str:
    return f"{value:+,}" if signed else f"{value:,}"


def _base_layout(title: str, caption: str) -> dict:
    return {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "font": {"family": FONT, "size": 13},
        "margin": {"l": 60, "r": 20, "t": 60, "b": 60},
        "legend": {"orientation": "h", "y": -0.18},
        "hovermode": "closest",
        "separators": ".,",
        "meta": {"caption": caption},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
    }


def _time_axis(granularity: str, series: list[Series], *, bars: bool = False) -> dict:
    """A time axis. A line's quarters and years are labelled as its points are, so that the period under
    way reads “2024 to date (Jan–Mar)”, not “2024” (bars say it above the bar: `_under_way_notes`). For
    bars, a single period is shown with one either side (plotly would zoom a lone bar's axis down to
    milliseconds)."""
    axis = {"type": "date", "ticklabelmode": "period", "showgrid": False}
    labels = {point.period: point.label for line in series for point in line.points}
    if granularity != "month":
        axis["dtick"] = PERIODS[granularity]
        if any(labels.values()):
            ticks = sorted(labels)
            step = {"quarter": 3, "year": 12}[granularity]
            if not bars:
                # In "period" mode a label sits between its tick and the next: the last needs one after it.
                axis["tickvals"] = [period.isoformat() for period in (*ticks, add_months(ticks[-1], step))]
                axis["ticktext"] = [*(labels[period] or str(period.year) for period in ticks), ""]
                axis["automargin"] = True  # a long last label ("2024 to date (Jan–Mar)") widens the margin
    periods = set(labels)
    if bars and len(periods) == 1:
        [period] = periods
        step = {"month": 1, "quarter": 3, "year": 12}[granularity]
        axis["dtick"] = PERIODS[granularity]
        axis["range"] = [add_months(period, -step).isoformat(), add_months(period, step).isoformat()]
    return axis


def _under_way_notes(series: list[Series], granularity: str) -> list[dict]:
    """Above the bar of a quarter or year under way, “to date” and its months: the axis says only
    “2024”, and a part of a year must not read as a whole one beside the others."""
    if granularity == "month":
        return []
    step = {"quarter": 3, "year": 12}[granularity]
    to_date = _("to date")
    tops: dict[date, int] = {}
    labels: dict[date, str] = {}
    for bars in series:
        for point in bars.points:
            if point.under_way:
                tops[point.period] = tops.get(point.period, 0) + max(point.value, 0)
                labels[point.period] = f"{to_date}<br>{point.under_way}"
    return [
        {
            "x": (period + (add_months(period, step) - period) / 2).isoformat(),
            "y": top,
            "text": labels[period],
            "showarrow": False,
            "yanchor": "bottom",
            "font": {"size": 11},
        }
        for period, top in tops.items()
    ]


def cumulative_figure(
    *,
    series: list[Series],
    metric_label: str,
    granularity: str,
    scale: str,
    milestones: list[MilestoneMark],
    forecasts: list[LineForecast] = (),
) -> dict:
    """Cumulative growth: a line per series, milestones on the time axis, and each line's year-end forecast
    (dashed, with its 80% band) and target (dotted) where it has them."""
    traces = []
    for line in series:
        traces.append(
            dict(
                type="scatter",
                x=[point.period.isoformat() for point in line.points],
                y=[point.value for point in line.points],
                name=line.name,
                mode="lines+markers",
                xperiod=PERIODS[granularity],
                xperiodalignment="end" if granularity != "month" else "middle",
                line={"color": line.color, "dash": line.dash, "width": 2},
                marker={
                    "color": line.color,
                    "size": [9 if p.approximate or p.illustrative else 6 for p in line.points],
                    "symbol": [
                        ("triangle-up" if p.approximate else line.symbol) + ("-open" if p.illustrative else "")
                        for p in line.points
                    ],
                },
                customdata=_customdata(line.points),
                hovertemplate="%{customdata[0]}<br><b>%{y:,d}</b>%{customdata[1]}<extra>%{fullData.name}</extra>",
            )
        )
    forecast_parts = []
    for line in forecasts:
        traces += _forecast_traces(line)
        forecast_parts.append(_forecast_sentence(line))
    caption = _("Totals at the end of each period. Triangles are lower bounds; hollow points are illustrative.")
    # A line with no forecast says why where the chart is read, not only in its text alternative.
    caption += "".join(" " + part for line, part in zip(forecasts, forecast_parts, strict=True) if not line.forecast)
    if any(line.forecast for line in forecasts):
        caption += (
            " "
            + _(
                "Dashed: the forecast of the year's end (a seasonal naïve forecast: the months left grow as the same "
                "months did a year before, scaled by this year's pace against last year's where there are two years "
                "of history); shaded: its 80%% interval, from the same forecast's past errors; dotted: the target."
            )
            % {}
        )
    layout = _base_layout(_("%(metric)s, cumulative") % {"metric": metric_label}, caption)
    layout["xaxis"] = _time_axis(granularity, series)
    layout["yaxis"] = {
        **_value_axis([p.value for line in series for p in line.points], scale),
        "rangemode": "tozero" if scale == "linear" else "normal",
    }
    layout["shapes"] = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": mark.day.isoformat(),
            "x1": mark.day.isoformat(),
            "y0": 0,
            "y1": 1,
            "line": {"color": "#8a8a8a", "width": 1, "dash": "dot"},
        }
        for mark in milestones
    ]
    layout["annotations"] = [
        {
            "x": mark.day.isoformat(),
            "xref": "x",
            "y": 1,
            "yref": "paper",
            "text": "★",
            "hovertext": f"{mark.day.isoformat()}: {mark.title}",
            "showarrow": False,
            "yanchor": "bottom",
            "font": {"color": "#6b6b6b"},
        }
        for mark in milestones
    ]
    figure = {"data": traces, "layout": layout}
    _say_when_empty(figure, any(line.points for line in series))
    latest = [
        _("%(name)s: %(value)s in %(period)s")
        % {"name": line.name, "value": _exact(line.points[-1].value), "period": _period_name(line.points[-1])}
        for line in series
        if line.points
    ]
    parts = [_("Latest figures: %(values)s.") % {"values": "; ".join(latest)}] if latest else []
    parts += [part for part in forecast_parts if part]
    left_out: dict[date, list[str]] = {}
    for line in series:
        for period in line.left_out:
            left_out.setdefault(period, []).append(line.name)
    if left_out:
        items = [(period, _noted(month_short(period), names_listed(names))) for period, names in left_out.items()]
        parts.append(
            _("Months not every account of a platform reported are left out of its line: %(months)s.")
            % {"months": _listed(items)}
        )
    _described(figure, parts)
    return figure


# What a forecast's and a target's traces carry as `meta`, telling them from the lines of figures.
FORECAST = "forecast"


def _forecast_traces(line: LineForecast) -> list[dict]:
    """The forecast from the line's last point to December (dashed), its band, and the target (dotted)."""
    start, december = line.last.period, date(line.last.period.year, 12, 1)
    x = [start.isoformat(), december.isoformat()]
    traces = []
    forecast = line.forecast
    label = _("%(name)s, forecast") % {"name": line.name}
    if line.illustrative:
        label = _noted(label, _("illustrative"))  # built on illustrative figures: the legend says so
    if forecast is not None and forecast.low is not None:
        for bound, fill in ((forecast.high, "none"), (forecast.low, "tonexty")):
            traces.append(
                dict(
                    type="scatter",
                    x=x,
                    y=[line.last.value, bound],
                    mode="lines",
                    line={"width": 0, "color": line.color},
                    fill=fill,
                    fillcolor="rgba(120, 120, 120, 0.18)",
                    hoverinfo="skip",
                    showlegend=False,
                    meta=FORECAST,
                )
            )
    if forecast is not None:
        traces.append(
            dict(
                type="scatter",
                x=x,
                y=[line.last.value, forecast.year_end],
                name=label,
                meta=FORECAST,
                mode="lines+markers",
                line={"color": line.color, "dash": "dash", "width": 2},
                marker={
                    "color": line.color,
                    "size": [0, 7],
                    "symbol": "diamond-open" if line.illustrative else "diamond",
                },
                hovertemplate="%{x|%Y-%m}<br><b>%{y:,d}</b><extra>%{fullData.name}</extra>",
            )
        )
    if line.target is not None:
        traces.append(
            dict(
                type="scatter",
                x=[date(start.year, 1, 1).isoformat(), december.isoformat()],
                y=[line.target, line.target],
                name=_("%(name)s, target") % {"name": line.name},
                meta=FORECAST,
                mode="lines",
                line={"color": line.color, "dash": "dot", "width": 1.5},
                hovertemplate="<b>%{y:,d}</b><extra>%{fullData.name}</extra>",
            )
        )
    return traces


def _method(forecast) -> str:
    """The forecast's method, named: scaled by the trend with two years of history, plain with one."""
    if forecast.method == "scaled_seasonal_naive":
        return _("seasonal naïve, scaled by the trend")
    return _("seasonal naïve")


def _forecast_sentence(line: LineForecast) -> str:
    """The forecast and target in words, for the text alternative and the printout."""
    forecast, year = line.forecast, line.last.period.year
    parts = []
    if forecast is None:
        parts.append(
            _("%(name)s: too little history for a forecast (it needs the same months a year before).")
            % {"name": line.name}
        )
    elif forecast.low is None:
        parts.append(
            _("%(name)s: forecast %(value)s at the end of %(year)s (%(method)s); too few past errors for an interval.")
            % {"name": line.name, "value": _exact(forecast.year_end), "year": year, "method": _method(forecast)}
        )
    else:
        parts.append(
            _("%(name)s: forecast %(value)s at the end of %(year)s (%(method)s; 80%% interval %(low)s to %(high)s).")
            % {
                "method": _method(forecast),
                "name": line.name,
                "value": _exact(forecast.year_end),
                "year": year,
                "low": _exact(forecast.low),
                "high": _exact(forecast.high),
            }
        )
    if line.target is not None:
        parts.append(_("target %(value)s") % {"value": _exact(line.target)})
    text = "; ".join(parts)
    return _noted(text, _("illustrative")) if line.illustrative else text


def _period_name(point: Point) -> str:
    return point.label or month_short(point.period)


# Bars of illustrative figures are dotted, in their full colour (half opacity fell under 3:1 against
# white); bars that cover months with no report are hatched; both, cross-hatched.
def _bar_pattern(point: Point) -> str:
    gap = bool(point.notes)
    return "x" if gap and point.illustrative else "." if point.illustrative else "/" if gap else ""


def increments_figure(
    *, series: list[Series], metric_label: str, granularity: str, coverage: list[tuple[date, str]] | None = None
) -> dict:
    """What each period added, as stacked bars; a bar that covers missing months is hatched and says so.

    `coverage` says, by month (a period's last month shown), what the bars of that period count where they
    count fewer accounts than expected: “covers 1 of 4 accounts”. A period still under way is compared with
    the same months a year before, where its points say so (`Point.compared`)."""
    traces = []
    for bars in series:
        traces.append(
            dict(
                type="bar",
                x=[point.period.isoformat() for point in bars.points],
                y=[point.value for point in bars.points],
                name=bars.name,
                xperiod=PERIODS[granularity],
                xperiodalignment="middle",
                marker={
                    "color": bars.color,
                    "line": {"color": bars.color, "width": 1},
                    "pattern": {
                        "shape": [_bar_pattern(p) for p in bars.points],
                        "fgcolor": "white",
                        "fillmode": "overlay",
                    },
                },
                customdata=_customdata(bars.points),
                hovertemplate="%{customdata[0]}<br><b>%{y:+,d}</b>%{customdata[1]}<extra>%{fullData.name}</extra>",
            )
        )
    layout = _base_layout(
        _("%(metric)s added per period") % {"metric": metric_label},
        _(
            "Growth between consecutive reports; hatched bars cover months with no report, dotted bars are "
            "illustrative."
        ),
    )
    layout["barmode"] = "relative"
    layout["xaxis"] = _time_axis(granularity, series, bars=True)
    layout["annotations"] = _under_way_notes(series, granularity)
    layout["yaxis"] = _value_axis(_stacked_extremes(series))
    figure = {"data": traces, "layout": layout}
    _say_when_empty(figure, any(line.points for line in series), _no_growth())
    added = [
        f"{bars.name}: {_exact(sum(point.value for point in bars.points), signed=True)}"
        for bars in series
        if bars.points
    ]
    parts = [_("Added over the periods shown: %(values)s.") % {"values": "; ".join(added)}] if added else []
    if coverage:
        parts.append(_coverage_sentence([(period, _noted(month_short(period), note)) for period, note in coverage]))
    compared: dict[str, list[str]] = {}
    for bars in series:
        for point in bars.points:
            if point.compared:
                item = f"{bars.name} {_exact(point.value, signed=True)}"
                compared.setdefault(_period_name(point), []).append(_noted(item, point.compared))
    parts += [
        _("%(period)s is compared with the same months a year before: %(values)s.")
        % {"period": period, "values": "; ".join(values)}
        for period, values in compared.items()
    ]
    _described(figure, parts, _no_growth())
    return figure


@dataclass(frozen=True)
class Share:
    """A platform's part of a total."""

    name: str
    color: str
    value: int


def shares_figure(
    *,
    views: list[Share],
    followers: list[Share],
    month: date,
    views_label: str | None = None,
    followers_month: date | None = None,
    complete: bool = True,
) -> dict:
    """Each platform's share of views, and of followers where more than one platform reports them (a
    single platform's 100% says nothing). Each from a month every account reported it (followers' may be
    an earlier month than views', and its pie says which), unless none did (`complete`): then the caption
    says the shares cover only the accounts that have."""
    traces = []
    followers_title = _("Followers")
    if followers_month is not None and followers_month != month:
        followers_title = _("%(figure)s, %(month)s") % {
            "figure": followers_title,
            "month": month_short(followers_month),
        }
    pies = [(views_label or _("Views"), views)] + ([(followers_title, followers)] if len(followers) > 1 else [])
    width = 1 / len(pies)
    for index, (title, shares) in enumerate(pies):
        traces.append(
            dict(
                type="pie",
                labels=[share.name for share in shares],
                values=[share.value for share in shares],
                name=title,
                title={"text": title},
                hole=0.45,
                sort=False,
                direction="clockwise",
                marker={"colors": [share.color for share in shares], "line": {"color": "white", "width": 1}},
                domain={"x": [index * width + 0.02, (index + 1) * width - 0.02]},
                # One decimal, as the text alternative says them (plotly's own "percent" gives 4.42% beside 6.1%).
                texttemplate="%{percent:.1%}",
                hovertemplate="%{label}<br><b>%{value:,d}</b> (%{percent})<extra>%{fullData.name}</extra>",
            )
        )
    caption = (
        _("Each platform's part of the month's total, in the latest month every account reported.")
        if complete
        else _("Each platform's part of the month's total, over the accounts that have reported it so far.")
    )
    layout = _base_layout(_("Share by platform, %(month)s") % {"month": month_short(month)}, caption)
    figure = {"data": traces, "layout": layout}
    parts = []
    for title, shares in pies:
        total = sum(share.value for share in shares)
        if total:
            values = "; ".join(f"{share.name} {share.value / total:.1%}" for share in shares)
            parts.append(f"{title}: {values}.")
    if len(followers) == 1:
        parts.append(_("Followers: %(platform)s only.") % {"platform": followers[0].name})
    _described(figure, parts)
    return figure


# This year blue, last year hatched orange: told apart by hue (blue and orange stay apart for colour-blind
# readers) and by texture (in greyscale), each at least 3:1 against white.
YEAR_COLORS = ("#1f5fbf", "#a34d00")


YEAR_PATTERNS = ("", "/")


def year_over_year_figure(
    *, this_year: int, this_year_values: list[Point], last_year_values: list[Point], metric_label: str
) -> dict:
    """This year's monthly growth against last year's, month by month, like for like: a month whose growth
    counts fewer accounts than expected (`Point.coverage`) is left out, and the description says so, rather
    than drawn as a fall beside a whole month a year before."""
    traces = []
    partial = [point for point in last_year_values + this_year_values if point.coverage]
    this_year_values = [point for point in this_year_values if not point.coverage]
    last_year_values = [point for point in last_year_values if not point.coverage]
    years = (
        (this_year - 1, last_year_values, YEAR_COLORS[1], YEAR_PATTERNS[1]),
        (this_year, this_year_values, YEAR_COLORS[0], YEAR_PATTERNS[0]),
    )
    for year, points, color, pattern in years:
        traces.append(
            dict(
                type="bar",
                x=[point.label for point in points],
                y=[point.value for point in points],
                name=str(year),
                marker={
                    "color": color,
                    "line": {"color": color, "width": 1},
                    # Illustrative bars are dotted, as in the growth chart.
                    "pattern": {
                        "shape": ["." if p.illustrative else pattern for p in points],
                        "fgcolor": "white",
                        "fillmode": "overlay",
                    },
                },
                customdata=_customdata(points, month_labels=True),
                hovertemplate="%{customdata[0]}<br><b>%{y:+,d}</b>%{customdata[1]}<extra></extra>",
            )
        )
    layout = _base_layout(
        _("%(metric)s added per month: %(year)s against %(previous)s")
        % {"metric": metric_label, "year": this_year, "previous": this_year - 1},
        _(
            "Each month's growth: this year in plain blue beside the same month last year in hatched orange; "
            "dotted bars are illustrative."
        ),
    )
    layout["barmode"] = "group"
    layout["xaxis"] = {"type": "category"}
    layout["yaxis"] = _value_axis([p.value for p in this_year_values + last_year_values])
    figure = {"data": traces, "layout": layout}
    _say_when_empty(figure, bool(this_year_values or last_year_values), _no_growth())
    _described(
        figure,
        [
            _("Added in %(year)s: %(values)s.")
            % {"year": year, "values": "; ".join(f"{p.label} {_exact(p.value, signed=True)}" for p in points)}
            for year, points, _color, _pattern in reversed(years)
            if points
        ]
        + (
            [
                _("Months not every account has reported are left out: %(months)s.")
                % {"months": _listed([(p.period, _noted(month_short(p.period), p.coverage)) for p in partial])}
            ]
            if partial
            else []
        ),
        _no_growth(),
    )
    return figure
