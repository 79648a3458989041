from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from assessments.models import Screen


def screen_url(screen: Screen) -> str:
    """The screen's absolute address, from SITE_URL: an email has no request to ask."""
    return settings.SITE_URL + reverse("coordinator:screen", kwargs={"code": screen.reference})


def notify_urgent(screen: Screen) -> None:
    """Tells the coordinators that an urgent screen came in: its reference and a link only.

    Never the answers or the contact details: email is not a confidential channel.
    """
    context = {"reference": screen.reference, "url": screen_url(screen)}
    send_mail(
        _("Urgent screen %(reference)s") % context,
        render_to_string("coordinator/notify_urgent.txt", context),
        None,
        [settings.COORDINATORS_EMAIL],
    )
