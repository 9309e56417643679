"""The monthly report by e-mail, without the mail server: when a month's report is due, subscribing from the
dashboard and in the admin (forms as rendered), the unsubscribe page, and what a run records when it cannot
send (a person who may no longer receive it, no Chromium to print the PDF)."""

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from outreach import coverage
from outreach.models import DeliveryStatus, MetricSnapshot, ReportDelivery, ReportSubscription
from outreach.models.reports import NotSent, retry_delay
from outreach.reports.delivery import send_due_reports
from outreach.reports.links import unsubscribe_url
from outreach.selectors.deliveries import ReportDue, report_due
from outreach.services.deliveries import cancel_delivery, claim_delivery, make_due, record_sent, subscribe
from tests.factories import SnapshotFactory
from tests.pages import form_posting_to, run_admin_action, text_of

pytestmark = pytest.mark.django_db

FEBRUARY = date(2024, 2, 1)
MARCH = date(2024, 3, 1)


def noon(year: int, month: int, day: int) -> datetime:
    """Midday of that day in the museum's time zone."""
    return timezone.make_aware(datetime(year, month, day, 12))


@pytest.fixture
def ling(django_user_model):
    """A manager with an e-mail address."""
    person = django_user_model.objects.create_user(
        username="ling", email="ling@museum.example", password="a-long-manager-password"
    )
    person.groups.add(Group.objects.get(name="Managers"))
    return person


def record_delivery(person, *, period: date = FEBRUARY, language: str = "en", **fields) -> ReportDelivery:
    """A delivery of the report to `person`, recorded as a run records one (waiting, unless `fields` say)."""
    return ReportDelivery.objects.create(
        user=person, username=person.username, period=period, language=language, address=person.email, **fields
    )


# --- When a month's report is due -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "has_figures", "complete", "due"),
    [
        (date(2024, 3, 4), True, True, FEBRUARY),  # complete: at once, before the day
        (date(2024, 3, 4), True, False, date(2024, 1, 1)),  # incomplete, before the day: January's still
        (date(2024, 3, 10), True, False, FEBRUARY),  # the day: out, with what is missing stated
        (date(2024, 3, 28), True, False, FEBRUARY),
        (date(2024, 3, 28), False, False, date(2024, 1, 1)),  # no figures of February: no report of it
    ],
)
def test_a_months_report_is_due_when_complete_or_from_the_configured_day(today, has_figures, complete, due):
    assert (
        coverage.report_month_due(
            today,
            send_day=10,
            last_month_has_figures=has_figures,
            last_month_complete=complete,
            latest_earlier=date(2024, 1, 1),
        )
        == due
    )


def test_with_no_figures_no_report_is_due():
    assert (
        coverage.report_month_due(
            date(2024, 3, 20), send_day=10, last_month_has_figures=False, last_month_complete=False, latest_earlier=None
        )
        is None
    )


def test_the_due_month_follows_what_has_been_entered(seeded):
    # February 2024 is the seed's (every account reported it); March has one account's figures only.
    assert report_due(noon(2024, 3, 2), send_day=10).month == FEBRUARY
    SnapshotFactory(account=seeded["wechat"], period=MARCH, articles=1020, views=20_500_000, followers=2_680_000)
    assert report_due(noon(2024, 4, 9), send_day=10).month == FEBRUARY  # March incomplete, before the 10th
    assert report_due(noon(2024, 4, 10), send_day=10).month == MARCH  # the 10th: March, incomplete
    for platform, videos in (("douyin", 355), ("bilibili", 330)):
        SnapshotFactory(account=seeded[platform], period=MARCH, videos=videos, views=9_000_000)
    SnapshotFactory(account=seeded["kepu-china"], period=MARCH, articles=50, views=1_900_000)
    assert report_due(noon(2024, 4, 1), send_day=10).month == MARCH  # complete: at once
    assert report_due(noon(2026, 12, 4), send_day=10).month == MARCH  # the latest month with figures


def test_an_incomplete_month_being_entered_waits_until_its_figures_settle_a_complete_one_does_not(seeded):
    SnapshotFactory(account=seeded["wechat"], period=MARCH, articles=1020, views=20_500_000, followers=2_680_000)
    typed = MetricSnapshot.objects.get(period=MARCH).updated_at

    assert report_due(typed + timedelta(minutes=20), send_day=10) == ReportDue(MARCH, waiting=True)
    assert report_due(typed + timedelta(minutes=61), send_day=10) == ReportDue(MARCH, waiting=False)
    for platform, videos in (("douyin", 355), ("bilibili", 330)):
        SnapshotFactory(account=seeded[platform], period=MARCH, videos=videos, views=9_000_000)
    SnapshotFactory(account=seeded["kepu-china"], period=MARCH, articles=50, views=1_900_000)
    assert report_due(timezone.now(), send_day=10) == ReportDue(MARCH, waiting=False)  # complete: at once


def test_a_failed_try_waits_longer_each_time_and_is_given_up_after_the_last():
    waits = [retry_delay(attempts) for attempts in range(1, 9)]
    assert waits[:3] == [timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=45)]
    assert max(wait for wait in waits if wait) == timedelta(hours=6)
    assert waits[-1] is None


def test_the_database_keeps_one_delivery_per_person_and_month(seeded, ling):
    record_delivery(ling)
    with pytest.raises(IntegrityError), transaction.atomic():
        record_delivery(ling, language="zh-hans")


# --- Subscribing from the dashboard ----------------------------------------------------------------


def test_a_manager_subscribes_from_the_dashboard_in_chinese_changes_the_language_and_unsubscribes(
    seeded, django_app, ling
):
    dashboard = django_app.get(reverse("dashboard"), user=ling)
    page = dashboard.click(description="The monthly report by e-mail")
    assert "ling@museum.example" in text_of(page)
    form = form_posting_to(page)
    assert form["language"].value == "en"  # the page's language, as the person has chosen none
    form["language"] = "zh-hans"
    page = form.submit().follow()

    assert "You will receive the monthly report in Simplified Chinese at ling@museum.example." in text_of(page)
    assert ReportSubscription.objects.get(user=ling).language == "zh-hans"
    form = form_posting_to(page)
    assert form["language"].value == "zh-hans"
    form["language"] = "en"
    page = form.submit().follow()
    assert ReportSubscription.objects.get(user=ling).language == "en"

    stop = next(form for form in page.forms.values() if "unsubscribe" in form.fields)
    page = stop.submit("unsubscribe").follow()
    assert "You will no longer receive the monthly report." in text_of(page)
    assert not ReportSubscription.objects.filter(user=ling).exists()


def test_the_subscription_page_speaks_chinese(seeded, django_app, ling):
    django_app.set_cookie("django_language", "zh-hans")
    page = django_app.get(reverse("report_subscription"), user=ling)
    form = form_posting_to(page)
    assert form["language"].value == "zh-hans"
    page = form.submit().follow()
    assert "已订阅简体中文版月度报告，将发送至 ling@museum.example。" in text_of(page)


def test_a_language_that_is_not_offered_is_refused_and_nothing_saved(seeded, django_app, ling):
    page = django_app.get(reverse("report_subscription"), user=ling)
    form = form_posting_to(page)
    form["language"].force_value("fr")
    refused = form.submit(expect_errors=True)

    assert refused.status_int == 400
    assert "Select a valid choice." in text_of(refused)
    assert not ReportSubscription.objects.exists()


def test_a_person_without_an_address_is_told_why_they_cannot_subscribe(seeded, django_app, ling):
    ling.email = ""
    ling.save()
    page = django_app.get(reverse("report_subscription"), user=ling)

    assert "You cannot receive it yet: your account has no e-mail address. Ask an administrator" in text_of(page)
    assert form_posting_to(page, reverse("set_language"))  # the page's only form is the language switch
    assert len(page.forms) == 2  # and the sign-out: no subscription form


def test_a_subscriber_whose_address_was_removed_is_told_so_not_shown_an_empty_address(seeded, django_app, ling):
    subscribe(ling, language="zh-hans")
    ling.email = ""
    ling.save()
    page = django_app.get(reverse("report_subscription"), user=ling)

    assert "You cannot receive it yet: your account has no e-mail address." in text_of(page)
    assert " at ." not in text_of(page)
    assert next(form for form in page.forms.values() if "unsubscribe" in form.fields)  # they may still stop it


def test_what_was_sent_is_listed_on_the_subscription_page(seeded, django_app, ling):
    subscribe(ling, language="en")
    record_delivery(
        ling,
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        attempts=1,
        complete=False,
        accounts_not_reported=2,
    )
    page = django_app.get(reverse("report_subscription"), user=ling)
    assert "February 2024 sent · 2 accounts had not reported" in text_of(page)
    assert page.click(description="February 2024").status_int == 200  # the month's report


# --- The unsubscribe link ----------------------------------------------------------------------------


def test_the_unsubscribe_link_works_signed_out_asks_first_and_speaks_the_reports_language(seeded, django_app, ling):
    subscribe(ling, language="zh-hans")
    record_delivery(ling, language="zh-hans")
    link = unsubscribe_url(ling).removeprefix("http://127.0.0.1:8000")
    page = django_app.get(link)  # signed out

    assert "停止向 l•••@museum.example 发送月度报告吗？" in text_of(page)
    assert ReportSubscription.objects.filter(user=ling).exists()  # opening the link changes nothing
    done = form_posting_to(page).submit()
    assert "月度报告将不再发送到 l•••@museum.example。" in text_of(done)
    assert not ReportSubscription.objects.filter(user=ling).exists()
    again = django_app.get(link)
    assert "l•••@museum.example 当前未订阅月度报告，无需退订。" in text_of(again)


def test_a_mail_programs_one_click_unsubscribe_needs_no_session_or_csrf_token(seeded, client, ling):
    subscribe(ling, language="en")
    from django.test import Client

    one_click = Client(enforce_csrf_checks=True)
    response = one_click.post(
        unsubscribe_url(ling).removeprefix("http://127.0.0.1:8000"), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert not ReportSubscription.objects.filter(user=ling).exists()


@pytest.mark.parametrize("token", ["MQ:nonsense:forged", "not-a-token", "MQ"])
def test_a_link_that_is_not_ours_gets_a_page_saying_so(seeded, django_app, ling, token):
    subscribe(ling, language="en")
    page = django_app.get(reverse("report_unsubscribe", kwargs={"token": token}), expect_errors=True)
    assert page.status_int == 400
    assert "This unsubscribe link is not valid" in text_of(page)
    assert ReportSubscription.objects.filter(user=ling).exists()


def test_a_token_made_for_another_purpose_does_not_unsubscribe(seeded, client, ling):
    from django.core import signing

    subscribe(ling, language="en")
    other = signing.dumps(ling.pk)  # the same value, signed without the unsubscribe link's salt
    response = client.post(reverse("report_unsubscribe", kwargs={"token": other}))
    assert response.status_code == 400
    assert ReportSubscription.objects.filter(user=ling).exists()


# --- In the admin ---------------------------------------------------------------------------------


def test_an_administrator_subscribes_another_person_in_the_admin(seeded, django_app, administrator, ling):
    page = django_app.get(reverse("admin:index"), user=administrator)
    page = page.click(description="Monthly report subscriptions").click(description="Add monthly report subscription")
    form = form_posting_to(page)
    form["user"].select(text="ling")
    form["language"] = "zh-hans"
    form.submit().follow()

    assert ReportSubscription.objects.get(user=ling).language == "zh-hans"


def test_the_admin_refuses_a_person_who_could_not_receive_it(seeded, django_app, administrator, django_user_model):
    no_address = django_user_model.objects.create_user(username="wei", password="a-long-password-of-wei")
    no_address.groups.add(Group.objects.get(name="Managers"))
    page = django_app.get(reverse("admin:outreach_reportsubscription_add"), user=administrator)
    form = form_posting_to(page)
    form["user"].select(text="wei")
    form["language"] = "en"
    refused = form.submit()

    assert "This person has no e-mail address: add one to their account first." in text_of(refused)
    assert not ReportSubscription.objects.exists()


# --- What a run records when it cannot send ---------------------------------------------------------


def test_without_chromium_the_delivery_fails_is_retried_later_and_shown_in_the_admin(
    seeded, django_app, administrator, ling, settings
):
    settings.CHROMIUM_PATH = "/nonexistent/chromium"
    subscribe(ling, language="zh-hans")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 delivery"):
        call_command("send_monthly_reports", stdout=out, stderr=err)

    delivery = ReportDelivery.objects.get(user=ling)
    assert (delivery.period, delivery.status, delivery.attempts) == (FEBRUARY, DeliveryStatus.RETRYING, 1)
    assert "no Chromium at /nonexistent/chromium" in delivery.last_error
    # Five minutes after the try failed, which was just after it began.
    assert timedelta(minutes=5) <= delivery.next_attempt_at - delivery.claimed_at < timedelta(minutes=6)
    assert "Failed February 2024 to ling@museum.example" in err.getvalue()

    # Before the wait is over, a run leaves it alone; after, it tries again (and fails again here).
    assert send_due_reports(now=delivery.claimed_at + timedelta(minutes=4)).failed == []
    again = send_due_reports(now=delivery.next_attempt_at)
    assert len(again.failed) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert timedelta(minutes=15) <= delivery.next_attempt_at - delivery.claimed_at < timedelta(minutes=16)

    front = django_app.get(reverse("admin:index"), user=administrator)
    assert "1 delivery of the report of February 2024 failed." in text_of(front)
    listed = front.click(description="See why")
    assert "failed, to be tried again" in text_of(listed) and "no Chromium" in text_of(listed)


def test_a_person_who_lost_access_is_not_sent_the_report_and_the_record_says_why(seeded, ling, settings):
    settings.CHROMIUM_PATH = "/nonexistent/chromium"  # never reached: nothing is printed for no one
    subscribe(ling, language="en")
    ling.groups.clear()
    out = StringIO()
    call_command("send_monthly_reports", stdout=out)

    delivery = ReportDelivery.objects.get(user=ling)
    assert "Not sent February 2024 to ling: This person may not see the figures" in out.getvalue()
    assert (delivery.status, delivery.not_sent) == (DeliveryStatus.CANCELLED, NotSent.NO_ACCESS)


def test_try_again_in_the_admin_makes_a_given_up_delivery_due_and_never_resends_a_sent_one(
    seeded, django_app, administrator, ling
):
    subscribe(ling, language="en")
    given_up = record_delivery(ling, status=DeliveryStatus.FAILED, attempts=8)
    sent = record_delivery(
        ling, period=date(2024, 1, 1), status=DeliveryStatus.SENT, sent_at=timezone.now(), attempts=1
    )
    page = django_app.get(reverse("admin:outreach_reportdelivery_changelist"), user=administrator)
    done = run_admin_action(page, [given_up.pk, sent.pk], "try_again").follow()

    assert "1 delivery will be tried again on the scheduler's next run." in text_of(done)
    given_up.refresh_from_db()
    sent.refresh_from_db()
    assert (given_up.status, given_up.attempts) == (DeliveryStatus.RETRYING, 8)  # its tries stay counted
    assert given_up.next_attempt_at <= timezone.now()
    assert sent.status == DeliveryStatus.SENT


def test_a_delivery_is_read_in_the_admin_and_cannot_be_changed_there(seeded, django_app, administrator, ling):
    delivery = record_delivery(ling)
    url = reverse("admin:outreach_reportdelivery_change", args=(delivery.pk,))
    page = django_app.get(url, user=administrator)
    assert "waiting to be sent" in text_of(page)
    assert not page.html.select('input[type="submit"][name="_save"]')
    csrf = page.html.select_one('input[name="csrfmiddlewaretoken"]')["value"]
    refused = django_app.post(url, {"csrfmiddlewaretoken": csrf, "status": "sent"}, expect_errors=True)
    assert refused.status_int == 403
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING


def test_deleting_a_person_keeps_the_record_of_what_was_sent_to_them(seeded, django_app, administrator, ling):
    record_delivery(
        ling,
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
    )
    page = django_app.get(reverse("admin:accounts_user_delete", args=(ling.pk,)), user=administrator)
    form_posting_to(page).submit().follow()

    kept = ReportDelivery.objects.get()
    assert kept.user is None and (kept.username, kept.status) == ("ling", DeliveryStatus.SENT)
    listed = django_app.get(reverse("admin:outreach_reportdelivery_changelist"), user=administrator)
    assert "ling" in text_of(listed) and "ling@museum.example" in text_of(listed)


def test_changing_the_language_of_someone_who_lost_access_says_why_in_the_admin(
    seeded, django_app, administrator, ling
):
    subscription = subscribe(ling, language="en")
    ling.groups.clear()
    page = django_app.get(
        reverse("admin:outreach_reportsubscription_change", args=(subscription.pk,)), user=administrator
    )
    form = form_posting_to(page)
    form["language"] = "zh-hans"
    refused = form.submit()

    assert refused.status_int == 200
    assert "This person may not see the figures" in text_of(refused)
    subscription.refresh_from_db()
    assert subscription.language == "en"


def test_the_configured_day_begins_at_midnight_in_the_museums_time_zone(seeded, ling, settings):
    settings.CHROMIUM_PATH = "/nonexistent/chromium"
    subscribe(ling, language="en")
    SnapshotFactory(account=seeded["wechat"], period=MARCH, articles=1030, views=20_600_000)
    record_delivery(
        ling,
        status="sent",
        sent_at=timezone.now(),
    )
    utc = timezone.get_fixed_timezone(0)
    assert send_due_reports(now=datetime(2024, 4, 9, 15, 59, tzinfo=utc)).due == FEBRUARY  # 23:59 in Shanghai
    assert send_due_reports(now=datetime(2024, 4, 9, 16, 0, tzinfo=utc)).due == MARCH  # the 10th in Shanghai
    assert ReportDelivery.objects.filter(user=ling, period=MARCH).exists()


def test_a_claim_is_the_one_runs_until_it_is_recorded_or_long_interrupted(seeded, ling):
    subscribe(ling, language="en")
    moment = timezone.now()
    make_due(FEBRUARY, [ReportSubscription.objects.get(user=ling)], now=moment)
    first, second = ReportDelivery.objects.get(), ReportDelivery.objects.get()

    assert claim_delivery(first, now=moment)
    assert not claim_delivery(second, now=moment + timedelta(minutes=29))  # still being sent by the first
    assert not cancel_delivery(second, reason=NotSent.UNSUBSCRIBED)  # without the claim, nothing is written
    assert claim_delivery(second, now=moment + timedelta(minutes=31))  # the first run was interrupted
    # The first run, back from a long stall, cannot write over the second's try.
    assert not record_sent(first, now=moment + timedelta(minutes=32), address=ling.email, accounts_not_reported=0)
    assert record_sent(second, now=moment + timedelta(minutes=32), address=ling.email, accounts_not_reported=0)
    stored = ReportDelivery.objects.get()
    assert (stored.status, stored.attempts, stored.claimed_at) == (
        DeliveryStatus.SENT,
        2,
        moment + timedelta(minutes=31),
    )


def test_a_delivery_interrupted_on_its_last_try_is_given_up_and_said(seeded, ling, settings):
    settings.CHROMIUM_PATH = "/nonexistent/chromium"
    subscribe(ling, language="en")
    long_ago = timezone.now() - timedelta(hours=2)
    record_delivery(
        ling,
        status=DeliveryStatus.SENDING,
        claimed_at=long_ago,
        attempts=8,
    )
    run = send_due_reports()

    assert run.failed == [] and run.sent == []
    stored = ReportDelivery.objects.get()
    assert (stored.status, stored.last_error) == (DeliveryStatus.FAILED, "Interrupted while being sent.")


def test_the_command_says_when_nothing_is_due(db):
    out = StringIO()
    call_command("send_monthly_reports", stdout=out)
    assert "No month has figures yet: no report is due." in out.getvalue()


def test_the_scheduler_loop_refuses_a_too_short_interval(db):
    with pytest.raises(CommandError, match="at least 10 seconds"):
        call_command("send_monthly_reports", "--every", "1")


def test_the_subscription_list_says_who_cannot_receive_the_report_and_why(
    seeded, django_app, administrator, ling, django_user_model
):
    subscribe(ling, language="en")
    wei = django_user_model.objects.create_user(username="wei", email="wei@museum.example", password="a-long-pw-wei")
    wei.groups.add(Group.objects.get(name="Staff"))
    subscribe(wei, language="zh-hans")
    wei.groups.clear()
    listed = django_app.get(reverse("admin:outreach_reportsubscription_changelist"), user=administrator)
    rows = {
        row.select_one("th, td a").get_text(strip=True): row.get_text(" ", strip=True)
        for row in listed.html.select("#result_list tbody tr")
    }

    assert rows["ling"].endswith("yes")
    assert "This person may not see the figures" in rows["wei"]


def test_subscribing_again_offers_the_language_last_received(seeded, django_app, ling):
    record_delivery(
        ling,
        language="zh-hans",
        status="sent",
        sent_at=timezone.now(),
    )
    page = django_app.get(reverse("report_subscription"), user=ling)  # not subscribed (any more), in English
    assert form_posting_to(page)["language"].value == "zh-hans"
