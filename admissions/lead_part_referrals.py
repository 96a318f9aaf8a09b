"""Referrals' share of a lead, registered with intake (intake.extensions) from apps.py: the panel on
the staff lead page, timeline lines, retention (notes and consent names blanked), merges (the
referrals and consents move with the person), and whether a follow-up alert can still help."""

from django.urls import reverse

from intake.extensions import Anonymised, LeadPart, TimelineEntry
from intake.models import Notification
from intake.retention import blank

from .models import Referral, ReferralChange, ReferralConsent, ReferralState
from .referral_forms import ReferralStateForm


class Referrals(LeadPart):
    name = "referrals"
    relations = ("referrals", "referral_consents")
    records_noun = "referrals"
    page_template = "admissions/_referral_panel.html"

    def count_expired(self, leads) -> tuple[int, int]:
        return Referral.objects.filter(lead__in=leads).count() + ReferralConsent.objects.filter(
            lead__in=leads
        ).count(), 0

    def anonymise(self, lead) -> Anonymised:
        referrals = Referral.objects.filter(lead=lead)
        changes = blank(ReferralChange.objects.filter(referral__lead=lead))
        done = blank(referrals), blank(ReferralConsent.objects.filter(lead=lead))
        return Anonymised(
            records=sum(done), details={"referrals": done[0], "referral_consents": done[1], "referral_changes": changes}
        )

    def page_context(self, lead) -> dict:
        referrals = list(
            lead.referrals.select_related("partner", "referred_by").prefetch_related("changes__by").order_by("sent_at")
        )
        for referral in referrals:
            referral.state_form = ReferralStateForm(referral=referral) if referral.is_open else None
        return {
            "referrals": referrals,
            "consents": list(lead.referral_consents.select_related("partner").order_by("signed_on")),
            "refer_url": reverse("admissions:refer", args=[lead.pk]),
            "may_refer": lead.is_open,
        }

    def timeline(self, lead) -> list[TimelineEntry]:
        entries = []
        for change in ReferralChange.objects.filter(referral__lead=lead).select_related("referral__partner", "by"):
            partner = change.referral.partner.name
            if change.to_state == ReferralState.SENT:
                what = f"Referred out to {partner}"
            else:
                what = f"Referral to {partner}: {change.get_to_state_display().lower()}"
            entries.append(TimelineEntry("part", change.happened_at, what, change.by, text=change.note, item=change))
        return entries

    def alert_link(self, notification) -> str:
        if notification.kind == Notification.Kind.REFERRAL_FOLLOW_UP:
            return notification.lead.get_absolute_url() + "#referrals"
        return ""

    def alert_no_longer_needed(self, notification) -> str:
        if notification.kind != Notification.Kind.REFERRAL_FOLLOW_UP:
            return ""
        if notification.lead.referrals.open().exists():
            return ""
        return "Closed unsent: the referral is closed (the person arrived, or it was lost)."
