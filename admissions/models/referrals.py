"""Referrals out, with the loop closed: a person the centre cannot (or should not) admit is sent to
a partner, and staff follow the referral until the person arrives there or is lost.

Nothing about the person leaves with a referral unless they consented in writing to that partner
receiving it (42 CFR 2.31): staff record the signed consent here (`ReferralConsent`), each share
is written to the lead's accounting of disclosures (intake.Disclosure) and carries the §2.32
notice. Saving a referral closes the lead as referred; the referral stays open (sent, partner
accepted) until the person arrives or is lost, and its referrer is reminded every
REFERRAL_FOLLOW_UP_DAYS meanwhile.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from intake.crypto import EncryptedCharField, EncryptedTextField
from intake.models import ConsentRevocation, Disclosure, LeadStatus, Notification, OutcomeFacts, WorkflowError
from intake.models.staff import on_duty_admissions

from .partners import Partner, PartnerService

# 42 CFR 2.32(a)(1) (as amended 2024): the statement that goes with every disclosure made with the
# patient's written consent. Shown to the worker to send with what is shared, and printed.
REDISCLOSURE_NOTICE = (
    "This record which has been disclosed to you is protected by Federal confidentiality rules "
    "(42 CFR part 2). These rules prohibit you from using or disclosing this record, or testimony that "
    "describes the information contained in this record, in any civil, criminal, administrative, or "
    "legislative proceedings by any Federal, State, or local authority, against the patient, unless "
    "authorized by the consent of the patient, except as provided at 42 CFR 2.12(c)(5) or as authorized "
    "by a court in accordance with 42 CFR 2.64 or 2.65. In addition, the Federal rules prohibit you from "
    "making any other use or disclosure of this record unless at least one of the following applies: "
    "further use or disclosure is expressly permitted by the written consent of the individual whose "
    "information is being disclosed in this record or as otherwise permitted by 42 CFR part 2; you are a "
    "covered entity or business associate and have received the record for treatment, payment, or health "
    "care operations; or you have received the record from a covered entity or business associate as "
    "permitted by 45 CFR part 164, subparts A and E. A general authorization for the release of medical "
    "or other information is NOT sufficient to meet the required elements of written consent to further "
    "use or redisclose the record (see 42 CFR 2.31)."
)
# 42 CFR 2.31(a)(4)(iii): a consent for a covered entity or business associate receiving the record
# for treatment must carry this statement; partners receive referrals for treatment.
HIPAA_REDISCLOSURE_STATEMENT = (
    "The patient's record (or information contained in the record) may be redisclosed in accordance with the "
    "permissions contained in the HIPAA regulations, except for uses and disclosures for civil, criminal, "
    "administrative, and legislative proceedings against the patient."
)
PURPOSE = "Referral for treatment and a warm hand-off, at the patient's request"


class Share(models.TextChoices):
    """What may go to a partner with a referral, by category (never the values)."""

    NAME_PHONE = "name_phone", "Name and phone number (warm hand-off)"
    SCREEN = "screen", "Phone screen summary (substances, risks, level of care)"
    INSURANCE = "insurance", "Insurance (payer, member and group numbers)"


# What staff may tick now. The phone screen summary is no longer offered: the sheet never printed it
# (only its label), so the partner was told something was shared that was not. SCREEN stays for the
# referrals and consents recorded before.
SHAREABLE = [Share.NAME_PHONE, Share.INSURANCE]


class RefusedShare(WorkflowError):
    """Nothing was saved; `errors` maps each form field to what to fix there."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(errors.values()))


def _same_person(lead_field: str) -> Q:
    """Revocations recorded on this lead or on another lead with the same phone (the same person)."""
    return Q(lead_id=OuterRef(f"{lead_field}_id")) | (
        Q(lead__phone_hash=OuterRef(f"{lead_field}__phone_hash")) & ~Q(lead__phone_hash="")
    )


class ReferralConsentQuerySet(models.QuerySet):
    def in_force(self, today: dt.date | None = None):
        """Not expired, not revoked for its partner, and not signed on or before a day the person
        revoked their consent altogether (a consent signed after that revocation stands)."""
        taken_back = ConsentRevocation.objects.filter(_same_person("lead"), said_on__gte=OuterRef("signed_on"))
        return self.filter(expires_on__gte=today or timezone.localdate(), revoked_on__isnull=True).exclude(
            Exists(taken_back)
        )

    def covering(self, lead, partner: Partner, shares: list[str]) -> "ReferralConsent | None":
        """The consent (still in force) under which these shares may go to this partner, if any."""
        for consent in self.in_force().filter(lead=lead, partner=partner).order_by("-signed_on"):
            if consent.covers(shares):
                return consent
        return None


class ReferralConsent(models.Model):
    """A Part 2 consent the person signed naming one partner, recorded by staff from the form on
    file: the elements of 42 CFR 2.31(a) as facts (patient, recipient, what, why, until when,
    who signed and when, the revocation and no-conditioning statements). The signed form itself
    stays where `kept_at` says."""

    class Method(models.TextChoices):
        SIGNED_FORM = "signed_form", "Signed paper form, on file"
        E_CONSENT = "e_consent", "Written consent signed electronically"
        RECEIVED = "received", "Signed form received by fax, scan or mail"

    lead = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="referral_consents")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="consents")
    method = models.CharField("how it was obtained", max_length=20, choices=Method.choices)
    patient_name = EncryptedCharField("patient's name on the form", max_length=150)
    signed_by = EncryptedCharField(
        "signed by", max_length=150, help_text="The patient, or the person the law allows to sign for them."
    )
    signed_on = models.DateField()
    kinds = models.JSONField("what may be shared", default=list)
    purpose = models.CharField(max_length=200, default=PURPOSE)
    expires_on = models.DateField("expires on")
    states_revocation = models.BooleanField(
        "the form names this centre as the one disclosing, says the person may revoke it (except where we "
        "already acted on it), and that care does not depend on signing",
        default=False,
    )
    states_hipaa_redisclosure = models.BooleanField(
        "the form states that the record may be redisclosed in accordance with HIPAA, except for uses and "
        "disclosures for civil, criminal, administrative and legislative proceedings against the patient",
        default=False,
        help_text=HIPAA_REDISCLOSURE_STATEMENT,
    )
    kept_at = models.CharField("where the signed form is kept", max_length=120, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # The person took this consent back for this partner (2.31(a)(6)); nothing more goes under it.
    revoked_on = models.DateField("revoked on", null=True, blank=True)
    revocation_method = models.CharField(
        "how the person revoked it", max_length=10, choices=ConsentRevocation.Method.choices, blank=True
    )
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = ReferralConsentQuerySet.as_manager()

    class Meta:
        ordering = ["signed_on"]

    def __str__(self) -> str:
        return f"Referral consent RC-{self.pk}"

    def get_additional_data(self) -> dict:
        return {"lead_id": self.lead_id}

    def revoke(self, *, method: str, said_on: dt.date, by: User) -> None:
        """Record that the person revoked this consent for its partner (the change is audit-logged)."""
        self.revoked_on, self.revocation_method, self.revoked_by = said_on, method, by
        self.save(update_fields=["revoked_on", "revocation_method", "revoked_by"])

    def lapse(self, today: dt.date | None = None) -> str:
        """Why nothing may go (or be printed) under this consent any more, in words; "" while in force."""
        if self.revoked_on:
            how = self.get_revocation_method_display().lower()
            return f"The person revoked this consent ({how}) on {self.revoked_on}."
        if self.expires_on < (today or timezone.localdate()):
            return f"This consent expired on {self.expires_on}."
        mine = Q(lead__phone_hash=self.lead.phone_hash) if self.lead.phone_hash else Q(lead_id=self.lead_id)
        revocation = ConsentRevocation.objects.filter(mine, said_on__gte=self.signed_on).first()
        return revocation.describe() if revocation else ""

    def covers(self, shares: list[str]) -> bool:
        return set(shares) <= set(self.kinds)

    @property
    def kind_labels(self) -> list[str]:
        return [Share(code).label for code in self.kinds if code in Share.values]


class ReferralState(models.TextChoices):
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Partner accepted"
    ARRIVED = "arrived", "Person arrived"
    LOST = "lost", "Lost"


OPEN_STATES = [ReferralState.SENT, ReferralState.ACCEPTED]
NEXT_STATES = {
    ReferralState.SENT: [ReferralState.ACCEPTED, ReferralState.ARRIVED, ReferralState.LOST],
    ReferralState.ACCEPTED: [ReferralState.ARRIVED, ReferralState.LOST],
}


class LostReason(models.TextChoices):
    NOT_REACHED = "not_reached", "Partner could not reach the person"
    NO_SHOW = "no_show", "Did not arrive"
    PARTNER_DECLINED = "partner_declined", "Partner declined them"
    PERSON_DECLINED = "person_declined", "Person changed their mind"
    WENT_ELSEWHERE = "went_elsewhere", "Went somewhere else"
    OTHER = "other", "Other (say why in the note)"


def follow_up_interval() -> dt.timedelta:
    return dt.timedelta(days=settings.REFERRAL_FOLLOW_UP_DAYS)


class ReferralQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def follow_ups_due(self, now: dt.datetime | None = None):
        return self.open().filter(follow_up_due_at__lte=now or timezone.now())

    def counts_by_partner(self) -> list[dict]:
        """Sent / accepted / arrived / lost per partner, for the referrals page (no PHI)."""
        return list(
            self.values("partner__name")
            .annotate(
                sent=models.Count("pk"),
                accepted=models.Count("pk", filter=Q(state=ReferralState.ACCEPTED)),
                arrived=models.Count("pk", filter=Q(state=ReferralState.ARRIVED)),
                lost=models.Count("pk", filter=Q(state=ReferralState.LOST)),
            )
            .order_by("partner__name")
        )

    def send(self, lead, *, partner: Partner, level_of_care: str, note: str, shares: list[str], by: User):
        """Refer the person to `partner` and close the lead as referred there, in one transaction.
        Raises RefusedShare (nothing saved) when a share has no consent naming the partner, or the
        lead cannot be closed as referred now."""
        with transaction.atomic():
            consent = None
            if unknown := [code for code in shares if code not in SHAREABLE]:
                raise RefusedShare({"shares": f"That cannot be shared with a referral: {', '.join(unknown)}."})
            if shares:
                consent = ReferralConsent.objects.covering(lead, partner, shares)
                if refusal := _share_refusal(lead, partner, consent):
                    raise RefusedShare({"shares": refusal})
            if LeadStatus.REFERRED not in lead.closing_outcomes():
                raise RefusedShare({"__all__": closing_refusal(lead)})
            lead.close(OutcomeFacts(status=LeadStatus.REFERRED, referred_to=partner.name), by=by)
            now = timezone.now()
            disclosure = None
            if shares:
                disclosure = Disclosure.objects.record(
                    lead.pk,
                    consent=None,  # intake's consent link is for visitors' forms; ours is named in `reference`
                    recipients=[partner.name],
                    what="; ".join(Share(code).label for code in shares),
                    purpose=consent.purpose,
                    channel=f"Referral out (staff user #{by.pk})",  # fits the 60 characters
                    reference=f"consent RC-{consent.pk}",
                    consent_reference=f"RC-{consent.pk}",
                )
            referral = self.create(
                lead=lead,
                partner=partner,
                level_of_care=level_of_care,
                note=note,
                shares=list(shares),
                consent=consent,
                disclosure=disclosure,
                referred_by=by,
                sent_at=now,
                follow_up_due_at=now + follow_up_interval(),
            )
            referral.changes.create(to_state=ReferralState.SENT, happened_at=now, by=by)
            return referral


def closing_refusal(lead) -> str:
    """Why this lead cannot be closed as referred now, in words for the worker."""
    if not lead.is_open:
        return f"This lead is already closed ({lead.get_status_display().lower()}): reopen it to refer the person."
    return (
        f"A lead that is {lead.get_status_display().lower()} cannot be closed as referred: "
        "reach the person first (or, after a clinical review, wait for the clinician's decision)."
    )


def _share_refusal(lead, partner: Partner, consent: ReferralConsent | None) -> str:
    # A lead-wide revocation takes back the consents signed on or before it (in_force leaves them
    # out); a consent the person signed afterwards stands.
    mine = Q(lead__phone_hash=lead.phone_hash) if lead.phone_hash else Q(lead_id=lead.pk)
    revocation = ConsentRevocation.objects.filter(mine).select_related("recorded_by").order_by("-said_on").first()
    if consent is None and revocation:
        return f"{revocation.describe()} Nothing about this person may be shared with {partner.name}."
    if consent is None:
        return (
            f"Nothing may be shared with {partner.name} without the person's written Part 2 consent naming "
            "it and covering what you ticked, still in force: record the signed consent first, or share nothing."
        )
    return ""


class Referral(models.Model):
    lead = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="referrals")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="referrals")
    level_of_care = models.CharField(max_length=20, choices=PartnerService.choices)
    note = EncryptedTextField(blank=True)
    shares = models.JSONField("what was shared", default=list)
    consent = models.ForeignKey(ReferralConsent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    disclosure = models.OneToOneField(Disclosure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=10, choices=ReferralState.choices, default=ReferralState.SENT)
    lost_reason = models.CharField(max_length=20, choices=LostReason.choices, blank=True)
    referred_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="referrals_made")
    sent_at = models.DateTimeField(default=timezone.now)
    follow_up_due_at = models.DateTimeField(null=True, blank=True)
    follow_up_reminded_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["state", "follow_up_due_at"], name="referral_follow_up_due")]

    def __str__(self) -> str:
        return f"Referral R-{self.pk} ({self.lead.reference})"

    def get_additional_data(self) -> dict:
        return {"lead_id": self.lead_id}

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def share_labels(self) -> list[str]:
        return [Share(code).label for code in self.shares if code in Share.values]

    def next_states(self) -> list[str]:
        return list(NEXT_STATES.get(self.state, []))

    def move(self, to: str, *, by: User, happened_at: dt.datetime, reason: str = "", note: str = "") -> None:
        """Record what became of the referral (partner accepted, person arrived, or lost, with
        why). Raises RefusedShare with field errors (nothing saved) when the move does not fit."""
        with transaction.atomic():
            type(self).objects.select_for_update().filter(pk=self.pk).values_list("pk").get()
            self.refresh_from_db(fields=["state", "follow_up_due_at"])
            errors = {}
            if to not in self.next_states():
                errors["state"] = f"A referral that is {self.get_state_display().lower()} cannot become that."
            if happened_at > timezone.now():
                errors["happened_at"] = "That is in the future: record it once it has happened."
            # Staff give the time to the minute: the minute the referral was sent is not "before" it.
            elif happened_at < self.sent_at.replace(second=0, microsecond=0):
                errors["happened_at"] = "That is before the referral was sent: check the date."
            if to == ReferralState.LOST and reason not in LostReason.values:
                errors["reason"] = "Say why the referral was lost."
            elif to == ReferralState.LOST and reason == LostReason.OTHER and not note.strip():
                errors["note"] = "You chose “Other”: say why in the note."
            if errors:
                raise RefusedShare(errors)
            previous, self.state = self.state, to
            self.lost_reason = reason if to == ReferralState.LOST else ""
            # The next reminder counts from this change; a closed referral needs none.
            self.follow_up_due_at = timezone.now() + follow_up_interval() if self.is_open else None
            self.save(update_fields=["state", "lost_reason", "follow_up_due_at"])
            self.changes.create(from_state=previous, to_state=to, happened_at=happened_at, by=by, note=note)

    def remind_follow_up(self) -> bool:
        """Remind the referrer (or, gone, the staff on duty) that the referral needs following up.
        Once per due time: two beat runs at once send one reminder; the next is due an interval on."""
        now = timezone.now()
        with transaction.atomic():
            won = (
                type(self)
                .objects.open()
                .filter(pk=self.pk, follow_up_due_at=self.follow_up_due_at)
                .update(follow_up_due_at=now + follow_up_interval(), follow_up_reminded_at=now)
            )
            if won:
                referrer = self.referred_by
                recipients = [referrer] if referrer.is_active else on_duty_admissions()
                Notification.objects.queue(self.lead, kind=Notification.Kind.REFERRAL_FOLLOW_UP, recipients=recipients)
        return bool(won)


class ReferralChange(models.Model):
    """One step in a referral's history: what it became, when that happened (as staff learned it),
    who recorded it and when, and a note (PHI: encrypted)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="changes")
    from_state = models.CharField(max_length=10, choices=ReferralState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=ReferralState.choices)
    happened_at = models.DateTimeField()
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"Referral R-{self.referral_id} {self.to_state}"

    def get_additional_data(self) -> dict:
        return {"lead_id": self.referral.lead_id, "referral_id": self.referral_id}
