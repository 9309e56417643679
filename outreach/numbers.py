"""Counts as people type and read them (`2,630,000`, `263万`, `1.2亿`), large numbers and lists of names
the way each language writes them."""

import re
from decimal import ROUND_HALF_EVEN, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from outreach.language import is_chinese
from outreach.metrics import COUNT_MAX

# Each language's units, smallest first, and how finely a shortened figure is written in them.
_ENGLISH_UNITS = ((10**3, "K"), (10**6, "M"), (10**9, "B"), (10**12, "T"))
_CHINESE_UNITS = ((10**4, "万"), (10**8, "亿"), (10**12, "万亿"))


def _rounded(value: Decimal, *, significant: int | None = None, decimals: int | None = None) -> Decimal:
    """`value` rounded half to even, as Babel and ICU round, to so many significant digits or decimals."""
    if significant is not None:
        digits = value.adjusted() + 1  # digits before the point
        decimals = max(significant - digits, 0)
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)


def _written(number: Decimal, *, grouped: bool) -> str:
    text = f"{number:,f}" if grouped else f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def short_count(value: int | float) -> str:
    """A count shortened for a card, the way each language reads it: 1.89M, 20M; 188.6万, 2000万, 1.2亿.

    As Babel's `format_compact_decimal` (and ICU) do, the unit is chosen after rounding: 999,950 is 1M,
    not 1,000K, and 99,999,999 is 1亿, not 10000万. Below 10,000 the count is written whole.
    """
    exact = Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    sign, exact = ("-" if exact < 0 else ""), abs(exact)
    if exact < 10**4:
        return sign + format_count(int(exact))
    chinese = is_chinese()
    units = _CHINESE_UNITS if chinese else _ENGLISH_UNITS
    # English keeps three significant digits (1.89M, 188K); Chinese one decimal at most (188.6万, 263万).
    precision = {"decimals": 1} if chinese else {"significant": 3}
    step = units[1][0] // units[0][0]  # how many of one unit make the next: 1,000 or 10,000
    index = max(i for i, (size, _unit) in enumerate(units) if exact >= size)
    number = _rounded(exact / units[index][0], **precision)
    while number >= step and index + 1 < len(units):
        index += 1
        number = _rounded(exact / units[index][0], **precision)
    # Chinese writes 2000万, not 2,000万; English groups only past a thousand trillion.
    return sign + _written(number, grouped=not chinese) + units[index][1]


def names_listed(names: list[str]) -> str:
    """Names as one list: “WeChat, Douyin and Bilibili”; in Chinese 微信公众号、抖音和哔哩哔哩 (、 between
    names, where a sentence's parts take ，)."""
    if len(names) <= 1:
        return "".join(names)
    return pgettext("between names in a list", "%(first)s and %(last)s") % {
        "first": pgettext("between names in a list", ", ").join(names[:-1]),
        "last": names[-1],
    }


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９－＋", "0123456789-+")
# Thousands separators people type: comma (also full-width), spaces (also no-break and thin), apostrophe.
_SEPARATORS = re.compile(r"[,，\s\u00a0\u202f\u3000'’_]")


def format_count(value: int) -> str:
    """A count with thousands separators, as staff read it."""
    return f"{value:,}"


# Chinese units a count may be typed in (`263万`, `1.2亿`): what each multiplies by.
CHINESE_UNITS = {"万": 10_000, "亿": 100_000_000}
_COUNT_TEXT = re.compile(r"(?P<number>[+-]?\d+(?:\.\d+)?)(?P<unit>[万亿])?")


def parse_count(value) -> int | None:
    """Read a count as typed (`1,234,567`, `1 234 567`, `１２３`, `263万`, `1.2亿`); None when empty.

    A Chinese unit is read where the result is a whole number (`188.6万` is 1,886,000). Raises
    ValidationError for text, negative numbers, fractions and numbers larger than a count may be.
    """
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        text = _SEPARATORS.sub("", str(value).translate(_FULLWIDTH_DIGITS))
    if text == "":
        return None
    # Longer than any count may be: refused before Python is asked to read thousands of digits.
    matched = _COUNT_TEXT.fullmatch(text) if len(text) <= 40 else None
    if matched is None or (matched["unit"] is None and "." in matched["number"]):
        if len(text) > 40 and text.isascii() and text.lstrip("+-").isdigit():
            raise count_too_large(value)
        raise ValidationError(
            _("“%(value)s” is not a whole number. Enter digits only, e.g. 1,234,567 (or 263万)."),
            code="not_a_number",
            params={"value": value},
        )
    number = Decimal(matched["number"]) * CHINESE_UNITS.get(matched["unit"], 1)
    if number != number.to_integral_value():
        raise ValidationError(
            _("“%(value)s” is %(number)s, not a whole number: give the figure exactly."),
            code="not_whole",
            params={"value": value, "number": f"{number.normalize():,f}"},
        )
    if number < 0:
        raise ValidationError(_("A count can't be negative."), code="negative")
    if number > COUNT_MAX:
        raise count_too_large(value)
    return int(number)


def parse_count_or_none(value) -> int | None:
    """A count as `parse_count` reads it, or None where it cannot be read (for showing what was typed)."""
    try:
        return parse_count(value)
    except ValidationError:
        return None


def count_too_large(value) -> ValidationError:
    """The error for a count past `COUNT_MAX`, the value shortened where it is very long."""
    shown = str(value) if len(str(value)) <= 30 else f"{str(value)[:12]}… ({len(str(value))} characters)"
    return ValidationError(
        _("%(value)s is larger than any count can be (at most %(max)s)."),
        code="too_large",
        params={"value": shown, "max": format_count(COUNT_MAX)},
    )


def count_reading(typed, value: int | None) -> str | None:
    """How a count typed with a Chinese unit was read (“263万” read as 2,630,000); None for plain digits."""
    text = str(typed or "").strip()
    if value is None or not any(unit in text for unit in CHINESE_UNITS):
        return None
    return _("“%(typed)s” read as %(value)s") % {"typed": text, "value": format_count(value)}
