"""Which language the figures are written in: the one check the whole product makes (Chinese or not)."""

from django.utils.translation import get_language


def is_chinese(language: str | None = None) -> bool:
    """Whether `language` (the active one by default) is a Chinese: zh-hans and its kin."""
    return (language if language is not None else get_language() or "").startswith("zh")
