"""The hand-off's share of a lead, registered with intake (intake.extensions) from apps.py: the
panel on the staff lead page (the consent, the ways out, the export history), timeline lines,
retention (names on consents blanked) and merges (consents and exports move with the person)."""

from django.conf import settings

from intake.extensions import Anonymised, LeadPart, TimelineEntry
from intake.models import LeadStatus
from intake.retention import blank

from .forms import HandoffConsentForm, HandoffRevokeForm
from .models import HandoffConsent, RecordExport, export_refusal

# Where the panel shows without anything recorded yet: from the clinician's yes to the admission.
ON_THE_WAY_IN = (LeadStatus.ACCEPTED, LeadStatus.WAITLISTED, LeadStatus.ADMISSION_SCHEDULED, LeadStatus.ADMITTED)


class ClinicalRecord(LeadPart):
    name = "handoff"
    relations = ("handoff_consents", "record_exports")
    records_noun = "clinical record consents and exports"
    page_template = "handoff/_lead_panel.html"

    def page_context(self, lead) -> dict:
        consents = list(lead.handoff_consents.select_related("lead", "recorded_by").order_by("-signed_on", "-pk"))
        exports = list(lead.record_exports.select_related("requested_by").order_by("-created_at", "-pk")[:10])
        if not (consents or exports or lead.status in ON_THE_WAY_IN):
            return {"shown": False}
        for consent in consents:
            consent.lapsed = consent.lapse()
            consent.revoke_form = None if consent.revoked_on else HandoffRevokeForm(consent=consent)
        return {
            "shown": True,
            "lead": lead,
            "recipient": settings.FHIR_EXPORT_RECIPIENT,
            "consents": consents,
            "exports": exports,
            "refusal": export_refusal(lead) or "",
            "sends": bool(settings.FHIR_EXPORT_URL),
            "consent_form": HandoffConsentForm(lead=lead),
        }

    def count_expired(self, leads) -> tuple[int, int]:
        return HandoffConsent.objects.filter(lead__in=leads).count(), 0

    def anonymise(self, lead) -> Anonymised:
        consents = blank(HandoffConsent.objects.filter(lead=lead))
        return Anonymised(records=consents, details={"handoff_consents": consents})

    def timeline(self, lead) -> list[TimelineEntry]:
        entries = []
        for consent in HandoffConsent.objects.filter(lead=lead).select_related("recorded_by", "revoked_by"):
            what = f"Consent {consent.reference} to send the record to {consent.recipient} recorded"
            entries.append(TimelineEntry("part", consent.recorded_at, what, consent.recorded_by, item=consent))
        for export in RecordExport.objects.filter(lead=lead).select_related("requested_by"):
            at = export.finished_at or export.created_at
            how, status = export.get_how_display().lower(), export.get_status_display().lower()
            what = f"Record for the clinical record, {export.reference} ({how}): {status}"
            entries.append(TimelineEntry("part", at, what, export.requested_by, text=export.last_error, item=export))
        return entries
