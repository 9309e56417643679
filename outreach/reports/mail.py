"""The monthly report as an e-mail: the summary and headline figures in the body, the PDF attached, in the
receiver's language (built inside `translation.override`), with the headers mail programs read to offer
"unsubscribe" themselves (RFC 2369, and RFC 8058's one click) and to hold back automatic replies (RFC 3834)."""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from outreach.display.mail import card_line, platform_lines, summary_lines
from outreach.months import format_month
from outreach.reports.links import site_url, unsubscribe_url


def report_message(context: dict, *, pdf: bytes, user, address: str) -> EmailMessage:
    """The report of `context` (`pages.monthly_report`'s, status 200) for this person, in the current language."""
    period = context["shown"]
    unsubscribe = unsubscribe_url(user)
    body = render_to_string(
        "outreach/report_email.txt",
        {
            **context,
            "card_lines": [card_line(card) for card in context["cards"]],
            "platform_lines": platform_lines(context["platform_cards"]),
            "summary_lines": summary_lines(context["summary"]),
            "report_url": site_url(reverse("monthly_report", kwargs={"month": format_month(period)})),
            "unsubscribe_url": unsubscribe,
            "subscription_url": site_url(reverse("report_subscription")),
        },
    )
    message = EmailMessage(
        subject=f"{context['report_title']} · {context['organisation_name']}",
        body=body,
        to=[address],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach(f"outreach-{format_month(period)}.pdf", pdf, "application/pdf")
    return message
