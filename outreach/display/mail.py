"""The monthly report's figures as lines of a plain-text mail: each card as one line, worded and punctuated
as the reader's language writes it (“Followers: more than 2,630,000; +52,395 (+2.0%) since Jan 2024
(from a lower bound)”, “粉丝：超 2,630,000；较2024年1月 +52,395（+2.0%）（据下限值计算）”)."""

from django.utils.translation import gettext as _

from outreach.display.cards import Card, PlatformCards


def _noted(text: str, note: str) -> str:
    return _("%(text)s (%(note)s)") % {"text": text, "note": note}


def _then(line: str, more: str) -> str:
    return _("%(line)s; %(more)s") % {"line": line, "more": more}


def card_line(card: Card) -> str:
    """One card: its figure (a lower bound says so), what it counts, its changes with their marks, its
    coverage, and the illustrative mark, as the card on the page shows them."""
    value = f"{card.qualifier} {card.exact_value}" if card.qualifier else card.exact_value
    line = _("%(label)s: %(value)s") % {"label": card.label, "value": value}
    if card.counted_by:
        line = _noted(line, card.counted_by)
    for change in card.changes:
        text = change.text
        if change.approximate:
            text = _noted(text, _("from a lower bound"))
        if change.illustrative:
            text = _noted(text, _("illustrative"))
        line = _then(line, text)
    if card.coverage:
        line = _then(line, card.coverage)
    if card.illustrative:
        line = _noted(line, _("includes illustrative figures"))
    target = card.target
    if target is not None:
        heading = _noted(target.heading, _("illustrative")) if target.illustrative else target.heading
        told = [heading, target.note] if target.note else [heading, target.made, target.pace]
        for part in told:
            if part:
                line = _then(line, part)
    return line


def platform_lines(groups: list[PlatformCards]) -> list[tuple[str, list[str]]]:
    """Each platform's name and its cards' lines."""
    return [(group.platform.name, [card_line(card) for card in group.cards]) for group in groups]


def summary_lines(sentences) -> list[str]:
    """The written summary's sentences, an illustrative one marked so."""
    return [
        _noted(sentence.text, _("illustrative")) if sentence.illustrative else sentence.text for sentence in sentences
    ]
