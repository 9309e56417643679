"""The admin of what administrators set up: platforms, accounts and milestones, with the checks of the list
pages' addresses every list shares.
"""

import re

from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outreach.admin.history import HistoryAdmin
from outreach.models import Account, Milestone, Platform
from outreach.services.snapshots import (
    account_save,
)


def digits_error(what: str, pattern: str, low: int, high: int):
    """A check of a number typed into the list's address: None when it is one, else the message."""

    def error(value: str) -> str | None:
        if re.fullmatch(pattern, value) and low <= int(value) <= high:
            return None
        return _("“%(value)s” is not %(what)s: that filter was left out.") % {"value": value[:40], "what": what}

    return error


class CheckedAddressAdmin(HistoryAdmin):
    """A list whose filters typed into the address are checked: a wrong one is left out, said, and a 400.

    `address_checks` maps a parameter to a function giving the message for a wrong value (None if right).
    """

    address_checks: dict = {}

    def changelist_view(self, request, extra_context=None):
        wrong = {
            name: check(request.GET[name])
            for name, check in self.address_checks.items()
            if request.GET.get(name) and check(request.GET[name])
        }
        if not wrong:
            return super().changelist_view(request, extra_context)
        for message in wrong.values():
            messages.error(request, message)
        request.GET = request.GET.copy()
        for name in wrong:
            del request.GET[name]
        response = super().changelist_view(request, extra_context)
        response.status_code = 400
        return response


@admin.register(Platform)
class PlatformAdmin(HistoryAdmin):
    list_display = ("name_en", "name_zh", "slug", "content", "display_order", "colour_swatch")
    list_editable = ("display_order",)
    prepopulated_fields = {"slug": ("name_en",)}
    ordering = ("display_order", "slug")

    @admin.display(description=gettext_lazy("chart colour"))
    def colour_swatch(self, platform: Platform) -> str:
        # An SVG square filled through its fill attribute: a style attribute is refused by the site's
        # Content-Security-Policy (style-src 'self'); a presentation attribute is not a style.
        return format_html(
            '<svg class="colour-swatch" width="14" height="14" viewBox="0 0 1 1" aria-hidden="true">'
            '<rect width="1" height="1" fill="{}"/></svg> {}',
            platform.color,
            platform.color,
        )


@admin.register(Account)
class AccountAdmin(HistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("name", "name_zh", "platform", "handle", "opened_on", "is_active")
    list_filter = ("platform", "is_active")
    list_select_related = ("platform",)
    search_fields = ("name", "name_zh", "handle")

    def save_model(self, request, obj, form, change):
        account_save(account=obj)


@admin.register(Milestone)
class MilestoneAdmin(CheckedAddressAdmin):
    address_checks = {
        "date__year": digits_error(gettext_lazy("a year"), r"[0-9]{4}", 1, 9999),
        "date__month": digits_error(gettext_lazy("a month"), r"[0-9]{1,2}", 1, 12),
        "date__day": digits_error(gettext_lazy("a day of the month"), r"[0-9]{1,2}", 1, 31),
    }
    list_display = ("date", "title", "title_zh", "account")
    list_filter = ("account__platform",)
    list_select_related = ("account__platform",)
    search_fields = ("title", "title_zh")
    date_hierarchy = "date"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "account":
            # Each choice names its platform: read with the accounts, not once per account.
            kwargs["queryset"] = Account.objects.select_related("platform")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
