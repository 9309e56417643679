"""The password reset request: Django's form, with the e-mail in the person's language, sent in the background."""

import logging
import threading

from django.contrib.auth import forms as auth_forms
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def _send(message: EmailMessage, user_id: int) -> None:
    try:
        message.send()
    except Exception:
        # As Django's own form does: the page must not change with whether the mail went (or was due) out.
        logger.exception("The password reset e-mail to user %s could not be sent", user_id)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form. The e-mail speaks the language the person chose (their `language`), else the page's.

    It is sent from a thread of its own, so the page answers without waiting for the mail server: an address
    with an account would otherwise take the server's time (tens to hundreds of milliseconds) and one
    without would not, telling whoever asks which addresses have accounts. What is left of the difference
    is rendering the mail, lost in the noise of a request. The page itself is the same for both.
    """

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        with translation.override(context["user"].language or translation.get_language()):
            # A header must not hold a line break.
            subject = "".join(render_to_string(subject_template_name, context).splitlines())
            body = render_to_string(email_template_name, context)
        message = EmailMessage(subject, body, from_email, [to_email])
        threading.Thread(target=_send, args=(message, context["user"].pk), name="password-reset-mail").start()
