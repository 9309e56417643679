"""The lockout records (django-axes) in the admin, named in the reader's language: axes ships no Chinese."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

SIDEBAR = {"Sign-in lockouts": "登录锁定", "Access attempts": "登录尝试记录", "Access logs": "登录日志"}


def sidebar_entries(page) -> list[str]:
    """The lockout app's heading and its models, as the admin's front page (and sidebar) lists them."""
    module = page.html.select_one("#content-main .app-axes")
    assert module is not None, "no lockout records on the admin's front page"
    return [" ".join(cell.get_text(" ", strip=True).split()) for cell in module.select("caption, th[scope=row]")]


def test_the_chinese_admin_names_the_lockout_records_in_chinese(django_app, admin_user):
    page = django_app.get(reverse("admin:index"), user=admin_user, headers={"Accept-Language": "zh-hans"})

    entries = sidebar_entries(page)
    for english, chinese in SIDEBAR.items():
        assert chinese in entries, (chinese, entries)
        assert english not in page.text
    assert not [entry for entry in entries if entry.isascii()], entries


def test_the_language_cookie_gives_the_same_names(django_app, admin_user):
    django_app.set_cookie(settings.LANGUAGE_COOKIE_NAME, "zh-hans")

    page = django_app.get(reverse("admin:index"), user=admin_user)

    assert set(SIDEBAR.values()) <= set(sidebar_entries(page))


def test_the_english_admin_keeps_english_names(django_app, admin_user):
    page = django_app.get(reverse("admin:index"), user=admin_user, headers={"Accept-Language": "en"})

    assert set(SIDEBAR) <= set(sidebar_entries(page))


def test_a_lockout_page_reads_in_chinese(django_app, admin_user):
    AccessAttempt.objects.create(
        username="curator",
        ip_address="203.0.113.7",  # not the address the test signs in from, or signing in would clear it
        user_agent="Mozilla/5.0",
        http_accept="text/html",
        path_info="/accounts/login/",
        get_data="",
        post_data="username=curator",
        failures_since_start=3,
    )
    page = django_app.get(
        reverse("admin:axes_accessattempt_changelist"), user=admin_user, headers={"Accept-Language": "zh-hans"}
    )

    headings = {" ".join(cell.get_text(" ", strip=True).split()) for cell in page.html.select("#result_list thead th")}
    assert {"浏览器标识", "IP地址", "用户名", "尝试时间", "登录失败次数"} <= headings, headings
    assert page.html.select_one("h1").get_text(strip=True) != "Select access attempt to change"


def test_every_app_of_the_chinese_admin_is_named_in_chinese(django_app, admin_user):
    page = django_app.get(reverse("admin:index"), user=admin_user, headers={"Accept-Language": "zh-hans"})

    headings = [caption.get_text(" ", strip=True) for caption in page.html.select("#content-main caption")]
    assert "人员" in headings, headings  # the people (accounts) app, not "ACCOUNTS"
    assert not [heading for heading in headings if heading.isascii()], headings
