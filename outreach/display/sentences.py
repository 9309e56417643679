"""The written summary, in the press-release style of the seed article: a sentence per account, counts in words
as each language writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from outreach import numbers
from outreach.language import is_chinese
from outreach.metrics import views_content
from outreach.months import month_label
from outreach.numbers import short_count

if TYPE_CHECKING:
    from outreach.models import Account, MetricSnapshot


def count_in_words(value: int) -> str:
    """An audience as press releases write it: 1.886 million, 20 million; 188.6万, 2000万."""
    if is_chinese():
        return short_count(value) if value >= 10**4 else str(value)
    for size, word in ((10**9, _("billion")), (10**6, _("million"))):
        if value >= size:
            number = f"{value / size:.3f}".rstrip("0").rstrip(".")
            return f"{number} {word}"
    return numbers.format_count(value)


def count_of_items(value: int) -> str:
    """A number of articles or videos: 1,000 in English, 1000 in Chinese."""
    return str(value) if is_chinese() else numbers.format_count(value)


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return _("%(first)s and %(last)s") % {"first": _(", ").join(parts[:-1]), "last": parts[-1]}


def account_phrase(account: Account) -> str:
    """“the WeChat official account”, “the Douyin account”; 上海科技馆微信公众号, 上海科技馆抖音号."""
    values = {"platform": str(account.platform), "organisation": account.name_zh or account.name}
    if account.platform.name_en.lower().endswith("account"):
        return _("the %(platform)s") % values
    return _("the %(platform)s account") % values


@dataclass(frozen=True)
class SummarySentence:
    account: Account
    text: str
    illustrative: bool = False
    notes: list[str] = field(default_factory=list)


def summary_sentence(snapshot: MetricSnapshot) -> SummarySentence:
    """One sentence in the style of the seed article, from an account's latest snapshot.

    Approximate figures read "more than" (余, 超 in Chinese); unreported ones are left out. Each phrase
    is its own message, so that a translation can order and word it as that language's press releases do.
    """
    account = snapshot.account
    figures, approx = snapshot.figures, snapshot.approximate
    actions = []
    if figures["articles"] is not None:
        count = {"count": count_of_items(figures["articles"])}
        actions.append(
            (
                _("has published more than %(count)s original articles")
                if approx
                else _("has published %(count)s original articles")
            )
            % count
        )
    if figures["videos"] is not None:
        count = {"count": count_of_items(figures["videos"])}
        actions.append(
            (
                _("has released more than %(count)s original videos")
                if approx
                else _("has released %(count)s original videos")
            )
            % count
        )
    audience = []
    if figures["views"] is not None:
        amount = {"amount": count_in_words(figures["views"])}
        # Chinese says 阅读量 for articles, 播放量 for videos, 浏览量 for both: the cards' rule.
        content = views_content([account.platform])
        if content == "articles":
            audience.append((_("more than %(amount)s views") if approx else _("%(amount)s views")) % amount)
        elif content == "videos":
            audience.append(
                (pgettext("videos", "more than %(amount)s views") if approx else pgettext("videos", "%(amount)s views"))
                % amount
            )
        else:
            audience.append(
                (
                    pgettext("articles and videos", "more than %(amount)s views")
                    if approx
                    else pgettext("articles and videos", "%(amount)s views")
                )
                % amount
            )
    if figures["followers"] is not None:
        amount = {"amount": count_in_words(figures["followers"])}
        audience.append((_("more than %(amount)s followers") if approx else _("%(amount)s followers")) % amount)
    if actions and audience:
        body = _("%(actions)s, with %(audience)s") % {"actions": _join(actions), "audience": _join(audience)}
    elif actions:
        body = _join(actions)
    else:
        body = _("has %(audience)s") % {"audience": _join(audience)}
    text = _("As of %(month)s, %(account)s, opened in %(opened)s, %(body)s.") % {
        "month": month_label(snapshot.period),
        "account": account_phrase(account),
        "opened": month_label(account.opened_on),
        "body": body,
    }
    return SummarySentence(account=account, text=text[0].upper() + text[1:], illustrative=snapshot.is_illustrative)
