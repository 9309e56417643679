"""The compose file's `scheduler` service, run as the container would (its command and environment, against
the local PostgreSQL and a real SMTP server on loopback): a manager subscribed in Chinese receives, from its
first scheduled run, one e-mail with the Chinese PDF of the latest complete month, with the dashboard's
figures; the loop stops cleanly on the container's stop signal."""

import io
import signal
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.browser.conftest import CHROMIUM, _unavailable
from tests.mail_server import running_mail_server
from tests.servers import VENV_BIN, collect_static, manage, secret_key, serving
from tests.test_deploy import compose, interpolate

pytestmark = pytest.mark.browser


def test_the_scheduler_service_mails_a_chinese_subscriber_the_latest_complete_months_pdf(
    fresh_postgres_database, tmp_path
):
    if not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM}: the scheduler prints the report's PDF with it")
    collect_static(tmp_path / "static")
    scheduler = compose()["services"]["scheduler"]
    assert scheduler["command"][:3] == ["python", "manage.py", "send_monthly_reports"]
    variables = {
        "SECRET_KEY": secret_key(),
        "POSTGRES_USER": "postgres",
        "POSTGRES_PASSWORD": "unused-with-trust-auth",
        "POSTGRES_DB": fresh_postgres_database,
    }
    with running_mail_server() as mail:
        variables["EMAIL_URL"] = f"smtp://127.0.0.1:{mail.port}"
        environment = {name: interpolate(str(value), variables) for name, value in scheduler["environment"].items()}
        # In compose, PostgreSQL is the service `db`; here it is the local server. Chromium is the image's path.
        environment["DATABASE_URL"] = environment["DATABASE_URL"].replace("@db:", "@127.0.0.1:")
        environment |= {
            "PATH": f"{VENV_BIN}:/usr/bin:/bin",
            "STATIC_ROOT": str(tmp_path / "static"),
            "CHROMIUM_PATH": CHROMIUM,
        }
        # What web's start does first, then the museum's figures and a manager who subscribed in Chinese.
        manage("migrate", "--noinput", env=environment)
        manage("load_seed_figures", "--illustrative-history", env=environment)
        manage("add_person", "ling", "--role", "manager", "--email", "ling@museum.example", env=environment)
        manage(
            "shell",
            "-c",
            "from accounts.models import User; from outreach.services.deliveries import subscribe; "
            "subscribe(User.objects.get(username='ling'), language='zh-hans')",
            env=environment,
        )
        command = [str(VENV_BIN / "python"), *scheduler["command"][1:]]
        log = tmp_path / "scheduler.log"
        with serving(command, environment, log) as process:
            message = mail.wait_for(1, timeout=180)[0]
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 0, log.read_text()

    assert message.recipients == ["ling@museum.example"]
    assert message.subject == "2024年2月月度报告 · 上海科技馆"
    content_type, pdf = message.attachments()["outreach-2024-02.pdf"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "2024年2月月度报告" in text and "所有在用账号均已报送2024年2月的数据。" in text
    assert "30,906,000" in text and "2,630,000" in text  # the dashboard's February 2024 totals
    assert "https://localhost/reports/unsubscribe/" in message.body  # SITE_URL from ALLOWED_HOSTS
    output = log.read_text()
    assert "Sent February 2024 to ling@museum.example (zh-hans)." in output and output.rstrip().endswith("Stopped.")
    assert len(mail.received) == 1
