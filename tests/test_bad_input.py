"""A catalogue of bad input through the real forms and the import: each gets a clear message, nothing changes.

And text that looks like markup is shown as text on every page that shows it.
"""

import html
from datetime import date

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from webtest import Upload

from accounts.models import User
from tests.factories import SnapshotFactory
from tests.outreach.test_month_grid import save_grid
from tests.pages import form_posting_to

pytestmark = pytest.mark.django_db

ADD = reverse("admin:outreach_metricsnapshot_add")
GRID = reverse("admin:outreach_month_grid")
IMPORT = reverse("admin:outreach_import")
HEADER = "platform,account,period,articles,videos,views,followers,approximate,note\r\n"


def database_state() -> dict:
    """Every row of every figure, account, platform and milestone, and of their histories."""
    models = [m for m in apps.get_app_config("outreach").get_models() if m.__name__ != "SnapshotImport"]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


@pytest.fixture
def world(seeded, django_user_model, next_month, browser_of):
    """The seed, a later April for WeChat, one person of each role, signed in, and next month ("YYYY-MM").

    Each person has a browser (django-webtest, for the forms as the pages render them) and a test client
    (for the import, which another change rewrites, and for requests no page makes).
    """
    SnapshotFactory(account=seeded["wechat"], period=date(2024, 4, 1), articles=1020, views=20_300_000, followers=None)
    clients, browsers = {}, {}
    for role, group in (("staff", "Staff"), ("administrator", "Administrators")):
        user = django_user_model.objects.create_user(username=role, password=f"a-long-{role}-password")
        user.groups.add(Group.objects.get(name=group))
        clients[role] = Client()
        clients[role].force_login(user)
        browsers[role] = browser_of(user)
    # Next month as of the test, not of the import of this module (which may have been in the previous month).
    return {"accounts": seeded, "clients": clients, "browsers": browsers, "next_month": next_month.strftime("%Y-%m")}


def type_and_save(page, form_id: str, fields: dict):
    """Type each value over the field of the form as the page rendered it (a select takes an option's
    value, "" for its empty choice), and save."""
    form = page.forms[form_id]
    for name, value in fields.items():
        form[name] = value
    return form.submit("_save", expect_errors=True)


def snapshot_form(world, **fields):
    typed = {"account": str(world["accounts"]["wechat"].pk), "period": "2024-03", **fields}
    return type_and_save(world["browsers"]["staff"].get(ADD), "metricsnapshot_form", typed)


def grid(world, **cells):
    douyin = world["accounts"]["douyin"]
    period = cells.pop("period", "2024-03")
    return save_grid(world["browsers"]["staff"], period, {douyin: cells}, expect_errors=True)


def grid_month_picked(world, period: str):
    """Type a month into the grid's month picker and show it."""
    page = world["browsers"]["staff"].get(GRID)
    picker = next(form for form in page.forms.values() if form.method.lower() == "get" and "period" in form.fields)
    picker["period"] = period
    return picker.submit(expect_errors=True)


def grid_posted_by_hand(world, period: str, **cells):
    """A save of the grid for a month no page offers a grid for: made by hand, as a script would."""
    douyin = world["accounts"]["douyin"].pk
    data = {f"account-{douyin}-{name}": value for name, value in cells.items()}
    return world["clients"]["staff"].post(f"{GRID}?period={period}", data)


def upload(world, content, name="figures.csv"):
    """Choose the file on the upload page as rendered and send it; a readable one opens its preview."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    form = form_posting_to(world["browsers"]["staff"].get(IMPORT))
    form["file"] = Upload(name, data)
    response = form.submit(expect_errors=True)
    # A readable file: the preview names the refused rows (and offers no import button).
    return response.follow() if response.status_code == 302 else response


def account_form(world, **fields):
    wechat = world["accounts"]["wechat"]
    typed = {"platform": str(wechat.platform_id), "name": "New account", "opened_on": "2020-01-01", **fields}
    page = world["browsers"]["administrator"].get(reverse("admin:outreach_account_add"))
    return type_and_save(page, "account_form", typed)


def platform_form(world, **fields):
    typed = {"name_en": "Xiaohongshu", "name_zh": "小红书", "slug": "xiaohongshu", "display_order": "5"}
    typed.update({"color": "#ff2442", "content": "both"}, **fields)
    page = world["browsers"]["administrator"].get(reverse("admin:outreach_platform_add"))
    return type_and_save(page, "platform_form", typed)


def csv_row(row: str) -> str:
    return HEADER + row + "\r\n"


CASES = {
    # The snapshot form
    "negative count": (lambda w: snapshot_form(w, views="-5"), "A count can't be negative."),
    "larger than a big integer": (
        lambda w: snapshot_form(w, views="9223372036854775808"),
        "is larger than any count can be",
    ),
    "text in a count": (lambda w: snapshot_form(w, views="twenty million"), "is not a whole number"),
    "fraction": (lambda w: snapshot_form(w, articles="1010.5"), "is not a whole number"),
    "future month": (lambda w: snapshot_form(w, period=w["next_month"], views="30000000"), "is in the future"),
    "month before opening": (lambda w: snapshot_form(w, period="2015-05", views="1"), "is before the account opened"),
    "decreasing total": (
        lambda w: snapshot_form(w, views="19,000,000"),
        "Views can't go down: February 2024 was 20,000,000.",
    ),
    "above a later month": (
        lambda w: snapshot_form(w, views="20,400,000"),
        "Views can't be higher than in a later month: April 2024 is 20,300,000.",
    ),
    "duplicate month": (
        lambda w: snapshot_form(w, period="2024-02", views="20,000,000"),
        "already has figures for February 2024",
    ),
    "empty form": (lambda w: snapshot_form(w), "Enter at least one figure"),
    "no account": (lambda w: snapshot_form(w, account="", views="1"), "This field is required."),
    "malformed month": (lambda w: snapshot_form(w, period="2024-13", views="1"), "is not a month"),
    "spreadsheet date": (lambda w: snapshot_form(w, period="3/1/24", views="1"), "day and month order cannot be known"),
    "content the platform does not count": (
        lambda w: snapshot_form(w, videos="3", views="20,100,000"),
        "does not count videos",
    ),
    "missing CSRF token": (
        lambda w: _without_csrf(w),
        "The form could not be checked",
    ),
    # The month grid
    "grid: negative": (lambda w: grid(w, videos="-1", views="7,700,000"), "A count can't be negative."),
    "grid: decreasing": (lambda w: grid(w, videos="340"), "Videos can't go down: February 2024 was 345."),
    "grid: text": (lambda w: grid(w, views="7.7M"), "is not a whole number"),
    "grid: future month": (lambda w: grid_month_picked(w, w["next_month"]), "is in the future"),
    "grid: future month posted by hand": (
        lambda w: grid_posted_by_hand(w, w["next_month"], views="8000000"),
        "is in the future",
    ),
    "grid: too large": (lambda w: grid(w, views="1" * 25), "larger than any count"),
    # The import
    "import: wrong header": (lambda w: upload(w, "平台,账号,月份\r\nwechat,x,2024-03\r\n"), "The first line must name"),
    "import: missing column": (lambda w: upload(w, HEADER.replace("views,", "") + "\r\n"), "missing: views"),
    "import: broken quoting": (lambda w: upload(w, csv_row('wechat,"上海科技馆,2024-03,1,,1,,,')), "quoting is broken"),
    "import: binary renamed .csv": (lambda w: upload(w, bytes(range(256)) * 40, "photo.csv"), "not a CSV text file"),
    "import: 20 MB upload": (lambda w: upload(w, HEADER + "x" * (20 * 1024 * 1024)), "at most 10 MB"),
    "import: empty file": (lambda w: upload(w, "\r\n\r\n"), "The file is empty."),
    "import: unknown platform": (lambda w: upload(w, csv_row("weibo,上海科技馆,2024-03,,,1,,,")), "is not a platform"),
    "import: unknown account": (
        lambda w: upload(w, csv_row("wechat,Nobody,2024-03,1,,1,,,")),
        "has no account named “Nobody”",
    ),
    "import: future month": (
        lambda w: upload(w, csv_row(f"douyin,上海科技馆,{w['next_month']},,350,1,,,")),
        "is in the future",
    ),
    "import: decreasing total": (
        lambda w: upload(w, csv_row("douyin,上海科技馆,2024-03,,300,7700000,,,")),
        "Videos can't go down: February 2024 was 345.",
    ),
    "import: negative": (lambda w: upload(w, csv_row("douyin,上海科技馆,2024-03,,350,-7,,,")), "can't be negative"),
    "import: text in a count": (
        lambda w: upload(w, csv_row("douyin,上海科技馆,2024-03,,lots,1,,,")),
        "not a whole number",
    ),
    "import: bad flag": (
        lambda w: upload(w, csv_row("douyin,上海科技馆,2024-03,,350,7700000,,maybe,")),
        "is not yes or no",
    ),
    # Accounts and platforms (administrators)
    "account: same name on a platform": (
        lambda w: account_form(w, name="Shanghai Science & Technology Museum"),
        "already exists",
    ),
    "account: bad address": (lambda w: account_form(w, url="not a url"), "Enter a valid URL."),
    "platform: bad colour": (lambda w: platform_form(w, color="green"), "Enter a colour as #RRGGBB"),
}


def _without_csrf(world):
    """A valid form, posted without the token a page from this site would carry: refused."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="staff"))
    return client.post(ADD, {"account": world["accounts"]["wechat"].pk, "period": "2024-03", "views": "20100000"})


def test_the_catalogue_holds_at_least_thirty_bad_inputs():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES)
def test_bad_input_gets_a_clear_message_and_changes_nothing(world, case):
    send, message = CASES[case]
    before = database_state()

    response = send(world)

    assert response.status_code in (200, 400, 403), response.status_code
    assert message in html.unescape(response.text)
    assert database_state() == before


MARKUP = '<script>alert("x")</script><b>bold</b>'


def test_markup_in_names_and_notes_is_shown_as_text_on_every_page(world, django_app):
    staff = world["clients"]["staff"]
    account = world["accounts"]["douyin"]
    account.name = f"Museum {MARKUP}"
    account.save()
    snapshot = SnapshotFactory(
        account=account, period=date(2024, 3, 1), articles=None, videos=350, views=7_700_000, note=f"note {MARKUP}"
    )
    pages = [
        reverse("dashboard") + "?by=account",
        reverse("recent_changes"),
        reverse("admin:outreach_metricsnapshot_changelist"),
        reverse("admin:outreach_metricsnapshot_change", args=(snapshot.pk,)),
        reverse("admin:outreach_metricsnapshot_history", args=(snapshot.pk,)),
        reverse("admin:outreach_account_changelist"),
        f"{GRID}?period=2024-03",
    ]
    for url in pages:
        page = staff.get(url).content.decode()
        assert "<script>alert" not in page, url
        assert "&lt;script&gt;" in page or "\\u003Cscript\\u003E" in page, url
    # The import's preview, as the upload page leads to it, before anything is confirmed: a valid row of the
    # renamed account (markup in its name and note) and a refused row naming an account that does not exist.
    quoted = MARKUP.replace('"', '""')
    data = csv_row(f'douyin,"Museum {quoted}",2024-04,,351,7800000,,,"note {quoted}"') + (
        f'wechat,"Nobody {quoted}",2024-04,1030,,20400000,,,\r\n'
    )
    page = django_app.get(IMPORT, user="staff")
    form = next(form for form in page.forms.values() if "file" in form.fields)
    form["file"] = Upload("markup.csv", data.encode())
    preview = form.submit().follow()
    assert preview.request.path.startswith(IMPORT) and preview.request.path != IMPORT, preview.request.path
    assert "1 to create" in preview.text and "1 refused" in preview.text, "this is the preview of the file"
    assert "<script>alert" not in preview.text
    assert preview.text.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;") >= 2
    assert not preview.html.select("table.import-rows script, table.import-rows b")
    names = [cell.get_text() for cell in preview.html.select("table.import-rows tbody tr td:nth-of-type(3)")]
    assert f"Museum {MARKUP}" in " ".join(names) and f"Nobody {MARKUP}" in " ".join(names)
