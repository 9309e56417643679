"""The reports as PDF, printed on the server by Debian's Chromium: real text (the month's figures, in the
reader's language), A4, the charts drawn; and a clear page, not an error, when no Chromium can print."""

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from pypdf import PdfReader

from tests.browser.conftest import CHROMIUM, _unavailable

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def manager(django_user_model):
    if not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM}: `apt-get install chromium fonts-noto-cjk` to print the reports")
    person = django_user_model.objects.create_user(username="director", password="a-long-director-password")
    person.groups.add(Group.objects.get(name="Managers"))
    return person


def pdf_text(response) -> str:
    """The PDF's text as a reader copies it, as it is: no Kangxi radical stands for an ideograph (⽉ for 月)."""
    reader = PdfReader(io.BytesIO(response.body))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_monthly_report_as_a_pdf_holds_its_figures_as_text(seeded, django_app, manager, settings):
    settings.CHROMIUM_PATH = CHROMIUM
    report = django_app.get("/reports/monthly/2024-02/", user=manager)
    response = report.click(description="Download as PDF")

    assert response.content_type == "application/pdf"
    assert 'filename="outreach-2024-02.pdf"' in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.body))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 portrait, in points
    text = pdf_text(response)
    assert "Monthly report, February 2024" in text
    assert "30,906,000" in text and "2,630,000" in text  # the cards' exact figures, as on the dashboard
    assert "Every active account has reported Feb 2024." in text


def test_the_pdf_speaks_the_readers_language(seeded, django_app, manager, settings):
    settings.CHROMIUM_PATH = CHROMIUM
    django_app.set_cookie("django_language", "zh-hans")
    text = pdf_text(django_app.get("/reports/monthly/2024-02.pdf", user=manager))

    assert "2024年2月月度报告" in text and "30,906,000" in text
    # Copied or searched, every character is the one printed: no Kangxi radical (U+2F00–U+2FDF, U+2E80–U+2EFF)
    # stands for an ideograph, as Noto CJK's glyphs would make it.
    assert [character for character in text if 0x2E80 <= ord(character) <= 0x2FDF] == []


def test_without_chromium_the_pdf_is_a_page_saying_so(seeded, django_app, manager, settings):
    settings.CHROMIUM_PATH = "/nonexistent/chromium"
    page = django_app.get("/reports/monthly/2024-02.pdf", user=manager, expect_errors=True)

    assert page.status_int == 503 and page.headers["Retry-After"] == "60"
    assert "The PDF cannot be made just now; the report below prints the same." in page.text
    assert "Every active account has reported Feb 2024." in page.text and "30,906,000" in page.text
