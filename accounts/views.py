"""Sign-in, a forgotten password, the language each person keeps, and what someone locked out sees."""

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import check_for_language
from django.views.i18n import set_language as django_set_language

from accounts.forms import PasswordResetForm


def remember_language(response, language: str):
    """The cookie by which LocaleMiddleware speaks `language` on every later request."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response


class SignInView(auth_views.LoginView):
    """Django's sign-in, which then switches to the language the person chose last time, on any device."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().language
        return remember_language(response, language) if language else response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's: the same page whether or not the address has an account, and a link by e-mail if it has."""

    form_class = PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        """How long the link works, in whole days, for the mail to say."""
        return {"valid_days": max(1, round(settings.PASSWORD_RESET_TIMEOUT / (24 * 60 * 60)))}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's, which also lifts a lockout for wrong passwords from the account: whoever has just proved
    they hold its mailbox expects to sign in with the new password at once, not when the lock runs out.
    An address's lock earned on other accounts stays."""

    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        return response


def set_language(request):
    """Django's language switch, which also keeps the choice with the signed-in person."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and check_for_language(language):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout: a page that says what happened and for how long (429)."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)
