"""The figures the product counts: their names, their labels in each language, and their limits."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

METRICS = ("articles", "videos", "views", "followers")
# Totals that only grow; followers may go down when people unfollow.
CUMULATIVE_METRICS = ("articles", "videos", "views")
METRIC_LABELS = {
    "articles": gettext_lazy("Articles"),
    "videos": gettext_lazy("Videos"),
    "views": gettext_lazy("Views"),
    "followers": gettext_lazy("Followers"),
}


def views_content(platforms) -> str:
    """What the views of these platforms count: "articles" (阅读量), "videos" (播放量), or "both" (浏览量).

    The one rule for every place a figure is named (cards, summary, import): Chinese counts articles'
    views as 阅读量, videos' as 播放量, and a platform of both, or a total over both kinds, in a neutral word.
    """
    kinds = {platform.content for platform in platforms}
    if kinds == {"articles"}:
        return "articles"
    if kinds == {"videos"}:
        return "videos"
    return "both"


def metric_label(metric: str, platforms) -> str:
    """A figure's name for these platforms: views worded by what the platforms publish."""
    if metric != "views":
        return str(METRIC_LABELS[metric])
    return {
        "articles": _("Views"),
        "videos": pgettext("videos", "Views"),
        "both": pgettext("articles and videos", "Views"),
    }[views_content(platforms)]


# The largest count an account may report: a hundred trillion, far past any platform's figures, and
# small enough that a platform's monthly total over 90,000 such accounts still fits a bigint (2**63 - 1).
COUNT_MAX = 10**14 - 1
