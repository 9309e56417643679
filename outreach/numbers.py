"""Large numbers the way each language reads them."""

from django.utils.translation import get_language

from outreach import rules


def short_count(value: int) -> str:
    """A count shortened for a card, the way each language reads it: 1.89M, 20M; 188.6万, 2000万, 1.2亿."""
    if value < 10**4:
        return rules.format_count(value)
    if (get_language() or "").startswith("zh"):
        size, unit = (10**8, "亿") if value >= 10**8 else (10**4, "万")
        # One decimal at most, as Chinese reports write it: 188.6万, 263万.
        return f"{value / size:.1f}".removesuffix(".0") + unit
    for size, unit in ((10**9, "B"), (10**6, "M"), (10**3, "K")):
        if value >= size:
            shortened = f"{value / size:.3g}"
            # .3g writes 999,600 as "1e+03": past three digits, write the whole number.
            return (shortened if "e" not in shortened else f"{value / size:,.0f}") + unit
    return rules.format_count(value)
