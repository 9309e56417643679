"""The monthly report by e-mail, with real parts: the scheduled command prints the PDF with Debian's Chromium
and hands the mail to a real SMTP server on loopback (aiosmtpd); the attachment's text and the body hold the
month's figures, the dashboard's own, in the subscriber's language. A mail server that refuses is tried
again after the wait; two runs at once send one message per person (PostgreSQL)."""

import io
import re
import threading
from datetime import date, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from outreach.models import DeliveryStatus, ReportDelivery, ReportSubscription
from outreach.reports.delivery import send_due_reports
from outreach.services.deliveries import subscribe
from tests.browser.conftest import CHROMIUM, _unavailable
from tests.factories import SnapshotFactory
from tests.mail_server import running_mail_server
from tests.pages import form_posting_to, text_of

pytestmark = [pytest.mark.browser]

UNSUBSCRIBE_LINK = re.compile(r"http://127\.0\.0\.1:8000(/reports/unsubscribe/\S+/)")


@pytest.fixture
def mail(settings):
    """A real SMTP server, the site sending to it, and Chromium to print the PDF."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM}: `apt-get install chromium fonts-noto-cjk` to print the reports")
    settings.CHROMIUM_PATH = CHROMIUM
    settings.SITE_URL = "http://127.0.0.1:8000"
    with running_mail_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        yield server


def manager(django_user_model, username: str):
    person = django_user_model.objects.create_user(
        username=username, email=f"{username}@museum.example", password=f"a-long-password-of-{username}"
    )
    person.groups.add(Group.objects.get(name="Managers"))
    return person


def pdf_text(data: bytes) -> str:
    """The PDF's text as a reader copies it, as it is (searching it for 月度报告 finds it)."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def dashboard_figures(app, user, language: str) -> list[str]:
    """The exact figures of the dashboard's cards (totals and platforms), as the person reads them there."""
    app.set_cookie("django_language", language)
    page = app.get(reverse("dashboard"), user=user)
    figures = [tag.get_text(strip=True) for tag in page.html.select(".card .exact")]
    figures += [tag["title"] for tag in page.html.select(".platform-card .value")]
    assert figures, "the dashboard shows no figures"
    return figures


@pytest.mark.django_db
def test_a_scheduled_run_mails_each_subscriber_the_pdf_in_their_language_with_the_dashboards_figures(
    seeded, mail, django_app, django_user_model
):
    ling, mei = manager(django_user_model, "ling"), manager(django_user_model, "mei")
    subscribe(ling, language="zh-hans")
    subscribe(mei, language="en")
    out = StringIO()
    call_command("send_monthly_reports", stdout=out)

    received = {message.recipients[0]: message for message in mail.wait_for(2)}
    chinese, english = received["ling@museum.example"], received["mei@museum.example"]
    assert chinese.subject == "2024年2月月度报告 · 上海科技馆"
    assert english.subject == "Monthly report, February 2024 · Shanghai Science & Technology Museum"
    for message, language, title, complete in (
        (chinese, "zh-hans", "2024年2月月度报告", "所有在用账号均已报送2024年2月的数据。"),
        (english, "en", "Monthly report, February 2024", "Every active account has reported Feb 2024."),
    ):
        content_type, pdf = message.attachments()["outreach-2024-02.pdf"]
        assert content_type == "application/pdf"
        text = pdf_text(pdf)
        assert title in text and complete in text and complete in message.body
        for figure in dashboard_figures(django_app, ling, language):
            assert figure in text, f"{figure} is on the dashboard, not in the {language} PDF"
            assert figure in message.body, f"{figure} is on the dashboard, not in the {language} mail"
        assert message.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert UNSUBSCRIBE_LINK.search(message.message["List-Unsubscribe"])
    assert "截至2024年2月，上海科技馆微信公众号累计发布原创科普文章1000余篇" in chinese.body  # the summary
    assert "http://127.0.0.1:8000/reports/monthly/2024-02/" in english.body

    deliveries = ReportDelivery.objects.order_by("user__username")
    assert [(d.user, d.period, d.status, d.attempts, d.complete) for d in deliveries] == [
        (ling, date(2024, 2, 1), DeliveryStatus.SENT, 1, True),
        (mei, date(2024, 2, 1), DeliveryStatus.SENT, 1, True),
    ]
    assert "Sent February 2024 to ling@museum.example (zh-hans)." in out.getvalue()

    # Run again (the scheduler every quarter of an hour): nothing more goes out.
    again = StringIO()
    call_command("send_monthly_reports", stdout=again)
    assert len(mail.received) == 2
    assert "Nothing to send now; February 2024's report is the one due." in again.getvalue()


@pytest.mark.django_db
def test_an_incomplete_month_goes_out_on_the_configured_day_saying_who_had_not_reported(
    seeded, mail, django_user_model, settings
):
    settings.MONTHLY_REPORT_DAY = 10
    ling = manager(django_user_model, "ling")
    subscribe(ling, language="en")
    SnapshotFactory(account=seeded["wechat"], period=date(2024, 3, 1), articles=1030, views=20_600_000)
    ReportDelivery.objects.create(  # February's went out in early March
        user=ling,
        period=date(2024, 2, 1),
        language="en",
        address=ling.email,
        status=DeliveryStatus.SENT,
        sent_at=timezone.make_aware(datetime(2024, 3, 2, 9, 0)),
    )
    before_the_day = timezone.make_aware(datetime(2024, 4, 9, 9, 0))
    assert send_due_reports(now=before_the_day).sent == []
    run = send_due_reports(now=before_the_day + timedelta(days=1))

    assert [delivery.period for delivery in run.sent] == [date(2024, 3, 1)]
    message = mail.wait_for(1)[0]
    assert "3 active accounts had not reported Mar 2024 when this report was prepared:" in message.body
    assert "3 active accounts had not reported Mar 2024" in pdf_text(message.attachments()["outreach-2024-03.pdf"][1])
    delivery = ReportDelivery.objects.get(user=ling, period=date(2024, 3, 1))
    assert (delivery.complete, delivery.accounts_not_reported) == (False, 3)


@pytest.mark.django_db
def test_the_unsubscribe_link_in_the_mail_works_signed_out_and_stops_the_next_reports(
    seeded, mail, django_app, django_user_model
):
    ling = manager(django_user_model, "ling")
    subscribe(ling, language="zh-hans")
    send_due_reports()
    link = UNSUBSCRIBE_LINK.search(mail.wait_for(1)[0].body)[1]

    page = django_app.get(link)  # signed out: a mail program's browser
    assert "停止向 l•••@museum.example 发送月度报告吗？" in text_of(page)
    done = form_posting_to(page).submit()
    assert "月度报告将不再发送到 l•••@museum.example。" in text_of(done)
    assert not ReportSubscription.objects.exists()

    for platform, figures in (
        ("kepu-china", {"articles": 50, "views": 1_900_000}),
        ("wechat", {"articles": 1030, "views": 20_600_000, "followers": 2_680_000}),
        ("douyin", {"videos": 355, "views": 7_900_000}),
        ("bilibili", {"videos": 330, "views": 1_400_000}),
    ):
        SnapshotFactory(account=seeded[platform], period=date(2024, 3, 1), **figures)
    run = send_due_reports()
    assert run.due == date(2024, 3, 1) and run.made_due == 0
    assert len(mail.received) == 1


@pytest.mark.django_db
def test_a_mail_server_that_refuses_is_tried_again_after_the_wait_and_the_delivery_is_recorded(
    seeded, mail, django_user_model
):
    ling = manager(django_user_model, "ling")
    subscribe(ling, language="en")
    mail.refuse_next = 1
    err = StringIO()
    with pytest.raises(CommandError, match="1 delivery"):
        call_command("send_monthly_reports", stdout=StringIO(), stderr=err)

    delivery = ReportDelivery.objects.get(user=ling)
    assert mail.refused == 1 and mail.received == []
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRYING, 1)
    assert "451" in delivery.last_error and "temporarily unable" in delivery.last_error
    assert "tried again after" in err.getvalue()

    assert send_due_reports(now=delivery.next_attempt_at - timedelta(seconds=1)).sent == []  # still waiting
    run = send_due_reports(now=delivery.next_attempt_at)
    assert run.sent == [delivery]
    assert mail.wait_for(1)[0].recipients == ["ling@museum.example"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert "451" in delivery.last_error  # the record keeps what happened on the way


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_one_message_per_subscriber_and_month(
    seeded_for_real_transactions, mail, django_user_model
):
    if connection.vendor != "postgresql":
        pytest.skip("two schedulers at once need two concurrent writers: PostgreSQL")
    people = [manager(django_user_model, name) for name in ("ling", "mei", "wei", "jun", "hua", "lan")]
    for number, person in enumerate(people):
        subscribe(person, language="zh-hans" if number % 2 else "en")
    start, runs, errors = threading.Barrier(2), [], []

    def scheduler():
        try:
            start.wait(timeout=60)
            runs.append(send_due_reports())
        except Exception as error:  # reported below: an exception in a thread would pass unseen
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)

    assert errors == []
    assert sum(run.made_due for run in runs) == len(people)  # each delivery made once, by one run or the other
    assert sorted(message.recipients[0] for message in mail.wait_for(len(people))) == sorted(p.email for p in people)
    assert len(mail.received) == len(people)
    assert sum(len(run.sent) for run in runs) == len(people)
    assert set(ReportDelivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}
