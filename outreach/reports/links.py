"""The monthly report e-mail's links back to the site, absolute (a mail has no page to be relative to), and
its unsubscribe link: signed, so that it works without signing in and cannot be made for someone else."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

# A signature made for this link alone: no other signed value of the site (a session, a reset link) opens it.
_SALT = "outreach.reports.unsubscribe"


def site_url(path: str) -> str:
    return settings.SITE_URL + path


def unsubscribe_token(user) -> str:
    """The person's unsubscribe token. It does not expire: a link in an old mail still stops the mails."""
    return signing.dumps(user.pk, salt=_SALT)


def user_id_of_token(token: str) -> int | None:
    """Whose token this is; None when it is not one of ours (mistyped, cut short, forged)."""
    try:
        user_id = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    return user_id if isinstance(user_id, int) else None


def unsubscribe_url(user) -> str:
    return site_url(reverse("report_unsubscribe", kwargs={"token": unsubscribe_token(user)}))


def masked_address(address: str) -> str:
    """The address as a page opened from a link shows it: enough to recognise, not to read off (l•••@museum.example)."""
    name, at, domain = address.partition("@")
    return f"{name[:1]}•••{at}{domain}" if at else "•••"
