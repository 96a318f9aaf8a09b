"""The phone screen's and the clinical decision's share of a lead, registered with intake: a panel on
the lead page (red-flag banners, the screen, the decision), timeline lines, retention, merges, and
where the clinicians' alerts open."""

from django.urls import reverse

from intake.extensions import Anonymised, LeadPart, TimelineEntry
from intake.models import LeadStatus, Notification
from intake.retention import blank

from .models import ClinicalDecision, PhoneScreen
from .screen_views import screenable

# Clinicians cannot open the admissions lead page: their alerts open the review page.
OPENS_REVIEW = {Notification.Kind.RED_FLAG, Notification.Kind.REVIEW_NEEDED}


class Screens(LeadPart):
    name = "screens"
    relations = ("phone_screens", "clinical_decisions")
    records_noun = "phone screens and clinical decisions"
    page_template = "admissions/_screen_panel.html"

    def count_expired(self, leads) -> tuple[int, int]:
        return PhoneScreen.objects.filter(lead__in=leads).count() + ClinicalDecision.objects.filter(
            lead__in=leads
        ).count(), 0

    def anonymise(self, lead) -> Anonymised:
        screens = blank(PhoneScreen.objects.filter(lead=lead))
        decisions = blank(ClinicalDecision.objects.filter(lead=lead))
        return Anonymised(
            records=screens + decisions, details={"phone_screens": screens, "clinical_decisions": decisions}
        )

    def page_context(self, lead) -> dict:
        screen = PhoneScreen.objects.latest_for(lead)
        decision = (
            lead.clinical_decisions.select_related("decided_by", "programme__facility").order_by("-decided_at").first()
        )
        return {
            "lead": lead,
            "screenable": screenable(lead),
            "screen": screen,
            "flags": screen.flags() if screen else [],
            "decision": decision,
        }

    def timeline(self, lead) -> list[TimelineEntry]:
        entries = []
        for screen in lead.phone_screens.select_related("created_by", "completed_by"):
            entries.append(
                TimelineEntry("part", screen.created_at, f"Phone screen {screen.version} started", screen.created_by)
            )
            if screen.completed_at:
                entries.append(
                    TimelineEntry(
                        "part", screen.completed_at, f"Phone screen {screen.version} completed", screen.completed_by
                    )
                )
            if screen.information_added_at:
                what = f"Information added to phone screen {screen.version}"
                entries.append(TimelineEntry("part", screen.information_added_at, what, text=screen.information_added))
        for decision in lead.clinical_decisions.select_related("decided_by", "programme__facility"):
            what = f"Clinical decision: {decision.get_kind_display().lower()}"
            if decision.programme:
                what += f" ({decision.programme.get_level_display()} at {decision.programme.facility})"
            entries.append(
                TimelineEntry("part", decision.decided_at, what, decision.decided_by, decision.note, decision)
            )
        return entries

    def alert_link(self, notification) -> str:
        if notification.kind in OPENS_REVIEW:
            return reverse("admissions:review", kwargs={"lead_id": notification.lead_id})
        return ""

    def alert_no_longer_needed(self, notification) -> str:
        # A review request is moot once a clinician has decided (or the lead was closed). A red
        # flag is not: it still tells whoever decided, or decides next, about the risk.
        if notification.kind == Notification.Kind.REVIEW_NEEDED and notification.lead.status != (
            LeadStatus.AWAITING_REVIEW
        ):
            return "Closed unsent: a clinician has decided; the lead is no longer awaiting review."
        return ""
