"""The record goes by itself when a lead is closed as admitted (however it was closed), where a
clinical record system is configured and the person's consent naming it is in force."""

import logging

from django.conf import settings
from django.dispatch import receiver

from intake.models import LeadStatus, lead_status_changed

from .models import RecordExport, export_refusal

log = logging.getLogger(__name__)


@receiver(lead_status_changed, dispatch_uid="handoff.on_admission")
def send_on_admission(sender, *, lead, previous, status, by, **kwargs) -> None:
    # Inside the status change's transaction: the row is queued with it, or not at all.
    if status != LeadStatus.ADMITTED or not settings.FHIR_EXPORT_URL or export_refusal(lead):
        return
    if RecordExport.objects.queue(lead, how=RecordExport.How.ON_ADMISSION, by=by):
        log.info("Record of lead %s queued for the clinical record on admission", lead.pk)
