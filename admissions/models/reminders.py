"""Reminders to the person before their admission, through the outbox: by text only where they
allowed texts, by email only where the worker ticked that the person asked for one at the address
they gave. Never to a lead asked for a loved one: "your appointment" would reach the caller. The
words, and the sender's name (DISCREET_SENDER_NAME), name no condition, treatment or programme: a
text can be read over someone's shoulder. They are in the person's language (`lead.language`),
with its dates and times ("miércoles 2 de diciembre a las 8:00 a. m.")."""

import contextlib
import datetime as dt
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import ngettext

from intake import channels, sms
from intake.consent import may_contact
from intake.delivery_errors import describe_failure
from intake.models import ForWhom
from outbox.broker import nudge
from outbox.models import ClosableStatus, Delivery, DeliveryQuerySet


def reminder_context(admission) -> dict:
    """The words of a reminder, in the active language (render under translation.override)."""
    when = timezone.localtime(admission.admit_at)
    hour = when.strftime("%I:%M").lstrip("0")
    spanish = translation.get_language() == "es"
    # The US 12-hour habit in both languages; Spanish writes "a. m." and names the day first.
    time = f"{hour} {('a. m.' if spanish else 'a.m.') if when.hour < 12 else ('p. m.' if spanish else 'p.m.')}"
    hour12 = int(when.strftime("%I"))
    return {
        "language": translation.get_language(),
        "sender_name": settings.DISCREET_SENDER_NAME,
        "centre_phone": settings.CENTRE_PHONE,
        "day": date_format(when, r"l j \d\e F") if spanish else f"{when:%A} {when.day} {when:%B}",
        "time": time,
        # "at 8:00 a.m.": Spanish says "a la 1:00" but "a las 8:00", a plural in all but name.
        "at_time": ngettext("at %(time)s", "at %(time)s", hour12) % {"time": time},
    }


def may_remind(lead) -> bool:
    """A lead asked for a loved one is not the person coming: no reminder reaches the caller."""
    return lead.for_whom != ForWhom.LOVED_ONE


def reminder_text(admission) -> str:
    with translation.override(admission.lead.language):
        text = render_to_string("emails/visitor-reminder.txt", reminder_context(admission))
    return " ".join(text.split())


class VisitorReminderQuerySet(DeliveryQuerySet):
    def for_delivery(self):
        return self.select_related("admission__lead")

    def plan_for(self, admission) -> list["VisitorReminder"]:
        """The reminders this admission should have, due ADMISSION_REMINDER_HOURS before it (or
        now, when it is sooner): a text if they allowed texts, an email if the worker ticked it."""
        lead = admission.lead
        if not may_remind(lead):
            return []
        due = max(admission.admit_at - dt.timedelta(hours=settings.ADMISSION_REMINDER_HOURS), timezone.now())
        rows = []
        if may_contact(lead, "text") and lead.phone:
            rows.append(VisitorReminder(admission=admission, channel=VisitorReminder.Channel.TEXT, due_at=due))
        if admission.email_reminder and lead.email:
            rows.append(VisitorReminder(admission=admission, channel=VisitorReminder.Channel.EMAIL, due_at=due))
        rows = self.bulk_create(rows)
        if rows:
            transaction.on_commit(lambda: nudge(VisitorReminder))
        return rows


class VisitorReminder(Delivery):
    Status = ClosableStatus

    class Channel(models.TextChoices):
        TEXT = "text", "Text message"
        EMAIL = "email", "Email"

    admission = models.ForeignKey("admissions.Admission", on_delete=models.CASCADE, related_name="reminders")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)

    objects = VisitorReminderQuerySet.as_manager()

    class Meta(Delivery.Meta):
        pass

    def __str__(self) -> str:
        return f"Visitor reminder #{self.pk} ({self.channel}, {self.status})"

    @classmethod
    def batch(cls):
        return channels.mail_session()

    def no_longer_needed(self) -> str:
        admission = self.admission
        if not admission.is_held:
            return "Closed unsent: the admission is no longer scheduled."
        if admission.admit_at <= timezone.now():
            return "Closed unsent: the admission time has passed."
        if self.channel == self.Channel.TEXT and not may_contact(admission.lead, "text"):
            return "Closed unsent: the person no longer allows texts."
        return ""

    def perform(self, context) -> None:
        if reason := self.no_longer_needed():
            self.close_unsent(reason)
            return
        lead = self.admission.lead
        if self.channel == self.Channel.EMAIL:
            with translation.override(lead.language):
                send_email(lead.email, reminder_context(self.admission), connection=context)
        else:
            send_text(lead.phone, reminder_text(self.admission))

    def describe_failure(self, exc: Exception) -> str:
        """What failed, without the person: a provider's error body may echo the number it
        refused, and an SMTP refusal names the address, so only the class, the HTTP or SMTP
        status and the provider's error code are kept."""
        return describe_failure(exc)

    def is_permanent(self, exc: Exception) -> bool:
        return super().is_permanent(exc) or channels.is_permanent(exc)


def send_email(to: str, context: dict, *, connection) -> None:
    """The reminder email, from DISCREET_SENDER_NAME at DEFAULT_FROM_EMAIL's address: an inbox
    shows the sender's name."""
    subject, text, html = channels.render_email("visitor-reminder", context)
    sender = formataddr((settings.DISCREET_SENDER_NAME, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))
    message = EmailMultiAlternatives(subject, text, from_email=sender, to=[to])
    message.attach_alternative(html, "text/html")
    try:
        connection.open()  # kept open for the batch's next message; a no-op once open
        connection.send_messages([message])
    except Exception:
        with contextlib.suppress(Exception):  # a broken session: the next message opens a fresh one
            connection.close()
        raise


def send_text(phone: str, text: str) -> None:
    """A text to the person, through the centre's one SMS provider (intake.sms)."""
    sms.send_text(phone, text)
