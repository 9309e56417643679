"""The product in Simplified Chinese as well as English: pages, charts, numbers, months, messages, reports."""

import json
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tests.outreach.test_snapshot_admin import field_errors
from tests.pages import form_posting_to, sign_in

pytestmark = pytest.mark.django_db

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


@pytest.fixture
def person(django_user_model, seeded):
    def make(group: str = "Staff") -> Client:
        user = django_user_model.objects.create_user(username=group.lower(), password="a-long-enough-password")
        user.groups.add(Group.objects.get(name=group))
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def app_of(django_user_model, seeded, browser_of):
    """A person of this group in a browser of their own (django-webtest), signed in."""

    def make(group: str = "Staff"):
        user = django_user_model.objects.create_user(username=group.lower(), password="a-long-enough-password")
        user.groups.add(Group.objects.get(name=group))
        return browser_of(user)

    return make


def figure(response, name: str) -> dict:
    match = re.search(
        rf'<script id="figure-{name}" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(match.group(1))


def test_the_dashboard_follows_the_browsers_language(person):
    client = person("Managers")

    chinese = client.get(reverse("dashboard"), **CHINESE)
    english = client.get(reverse("dashboard"), **ENGLISH)

    assert chinese["Content-Language"] == "zh-hans" and '<html lang="zh-Hans">' in chinese.content.decode()
    assert english["Content-Language"] == "en"


def test_the_chinese_summary_reads_like_the_museums_press_release(person):
    page = person("Managers").get(reverse("dashboard"), **CHINESE).content.decode()

    assert "截至2024年2月，上海科技馆微信公众号累计发布原创科普文章1000余篇，累计阅读量超2000万，粉丝超263万。" in page
    assert "截至2024年2月，上海科技馆抖音号累计发布原创科普视频345个，累计播放量765.3万。" in page
    assert "截至2024年2月，上海科技馆科普中国号累计发布原创科普文章48篇，累计阅读量188.6万。" in page


def test_large_numbers_and_months_read_as_each_language_reads_them(person):
    client = person("Managers")

    chinese = client.get(reverse("dashboard"), **CHINESE)
    english = client.get(reverse("dashboard"), **ENGLISH)

    cards = {group.platform.slug: {c.metric: c for c in group.cards} for group in chinese.context["platform_cards"]}
    page = chinese.content.decode()
    assert "2024年2月" in page
    assert "2000万" in page
    assert "188.6万" in page and "765.3万" in page
    assert cards["wechat"]["views"].exact_value == "20,000,000"
    english_page = english.content.decode()
    assert "Feb 2024" in english_page and "1.89M" in english_page and "7.65M" in english_page


def test_charts_speak_chinese_titles_legends_axes_and_hover(person):
    response = person("Managers").get(reverse("dashboard"), {"metric": "views"}, **CHINESE)

    cumulative = figure(response, "cumulative")
    assert {trace["name"] for trace in cumulative["data"]} == {"科普中国", "微信公众号", "抖音", "哔哩哔哩"}
    assert re.search(r"[\u4e00-\u9fff]", cumulative["layout"]["title"]["text"])
    assert any("万" in tick for tick in cumulative["layout"]["yaxis"]["ticktext"])
    assert cumulative["data"][0]["customdata"][0][0] == "2024年2月"
    assert "%{y:,d}" in cumulative["data"][0]["hovertemplate"]
    assert 'data-plotly-locale-src="/static/vendor/plotly/plotly-locale-zh-cn' in response.content.decode()
    shares = figure(response, "shares")
    assert "2024年2月" in shares["layout"]["title"]["text"]


def test_error_messages_speak_chinese(app_of):
    form = (
        app_of("Staff")
        .get(reverse("admin:outreach_metricsnapshot_add"), extra_environ=CHINESE)
        .forms["metricsnapshot_form"]
    )
    form["account"] = str(_account_pk("douyin"))
    form["period"] = "2024-03"
    form["videos"] = "340"
    form["views"] = "-5"

    response = form.submit("_save", extra_environ=CHINESE)

    assert response.status_code == 200
    assert field_errors(response, "videos") == ["视频不能减少：2024年2月为345。"]
    views = field_errors(response, "views")
    assert views and re.search(r"[\u4e00-\u9fff]", views[0])


def _account_pk(slug: str) -> int:
    from outreach.models import Account

    return Account.objects.get(platform__slug=slug).pk


def test_the_month_grid_in_chinese(person):
    page = person("Staff").get(reverse("admin:outreach_month_grid"), **CHINESE).content.decode()

    assert "2024年3月" in page
    assert "微信公众号" in page and "哔哩哔哩" in page
    assert "Latest before" not in page


def test_exports_keep_their_columns_and_offer_translated_headers(person):
    client = person("Managers")

    stable = b"".join(client.get(reverse("snapshots_csv"), **CHINESE).streaming_content).decode("utf-8-sig")
    translated = b"".join(
        client.get(reverse("snapshots_csv"), {"headers": "translated"}, **CHINESE).streaming_content
    ).decode("utf-8-sig")

    assert (
        stable.splitlines()[0]
        == "platform,account,period,articles,videos,views,followers,approximate,note,illustrative"
    )
    header = translated.splitlines()[0]
    assert re.search(r"[\u4e00-\u9fff]", header) and "platform" not in header
    assert stable.splitlines()[1:] == translated.splitlines()[1:]


def test_a_file_with_translated_headers_imports(app_of):
    from webtest import Upload

    app = app_of("Staff")
    exported = app.get(reverse("snapshots_csv"), {"headers": "translated"}, extra_environ=CHINESE).body
    upload = form_posting_to(app.get(reverse("admin:outreach_import"), extra_environ=CHINESE))
    upload["file"] = Upload("导出.csv", exported)

    page = upload.submit(extra_environ=CHINESE).follow(extra_environ=ENGLISH)

    # What the preview says: every row of the Chinese-headed export is already there.
    counts = [item.get_text(strip=True) for item in page.html.select(".import-counts li")]
    assert counts == ["0 to create", "0 to update", "4 unchanged", "0 refused"]


def test_the_language_chosen_is_remembered_for_the_person_on_any_device(app_of, browser_of, django_user_model):
    app = app_of("Managers")
    page = app.get(reverse("dashboard"), extra_environ=ENGLISH)
    chosen = form_posting_to(page, reverse("set_language")).submit("language", value="zh-hans", extra_environ=ENGLISH)
    assert django_user_model.objects.get(username="managers").language == "zh-hans"
    assert chosen.follow(extra_environ=ENGLISH).html.html["lang"] == "zh-Hans"

    elsewhere = browser_of(None)
    elsewhere.extra_environ["HTTP_ACCEPT_LANGUAGE"] = ENGLISH["HTTP_ACCEPT_LANGUAGE"]
    page = sign_in(elsewhere, reverse("dashboard"), "managers", "a-long-enough-password")

    assert elsewhere.cookies["django_language"] == "zh-hans"
    assert page.request.path == reverse("dashboard")
    assert page.headers["Content-Language"] == "zh-hans"


def test_error_pages_speak_both_languages():
    chinese = Client().get("/no-such-page/", **CHINESE).content.decode()
    english = Client().get("/no-such-page/", **ENGLISH).content.decode()

    assert "There is no such page" in english
    assert "There is no such page" not in chinese and re.search(r"<h1>[^<]*[\u4e00-\u9fff]", chinese)


def test_the_sign_in_page_offers_the_language_switch():
    page = Client().get(reverse("accounts:login"), **CHINESE).content.decode()

    assert 'name="language" value="en"' in page and 'name="language" value="zh-hans"' in page
    assert re.search(r"<h1>[^<]*[\u4e00-\u9fff]", page)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_written_summary_leaves_out_unreported_figures_in_both_languages(person, language):
    headers = CHINESE if language == "zh-hans" else ENGLISH
    page = person("Managers").get(reverse("dashboard"), **headers).content.decode()

    bilibili = next(line for line in re.findall(r"<p>([^<]+)</p>", page) if ("Bilibili" in line or "哔哩哔哩" in line))
    assert ("followers" not in bilibili) and ("粉丝" not in bilibili)
