"""Large numbers, and lists of names, the way each language writes them."""

from decimal import ROUND_HALF_EVEN, Decimal

from django.utils.translation import pgettext

from outreach import rules
from outreach.language import is_chinese

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
        return sign + rules.format_count(int(exact))
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
