"""The ways a record leaves: POSTed from the outbox (`send`, called by RecordExport.perform), or
written out for a download or a file (`write_out`). Each builds the bundle then and there, checks
it, and lists the disclosure in the lead's accounting (FX-<id> as the reference)."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outbox.models import PermanentFailure

from . import bundle as bundles
from . import signing, transport
from .models import HandoffConsent, RecordExport, export_refusal

log = logging.getLogger(__name__)


class ExportRefused(Exception):
    """Nothing left: the lead may not be exported now. The message is export_refusal's line."""


def _channel(export: RecordExport) -> str:
    if export.how == RecordExport.How.ON_ADMISSION:
        return "FHIR export (sent on admission)"
    return f"FHIR export (sent by staff user #{export.requested_by_id})"


def send(export: RecordExport) -> None:
    """POST the lead's bundle to FHIR_EXPORT_URL, signed. Raises transport.ExportError (retried
    or not, as it says) or PermanentFailure for a bundle that does not validate."""
    consent = HandoffConsent.objects.covering(export.lead)
    bundle = bundles.build(export.lead, consent, reference=export.reference)
    try:
        bundles.validate(bundle)
    except bundles.InvalidBundle as exc:
        raise PermanentFailure(str(exc)) from None
    body = bundles.serialise(bundle)
    export.entries, export.digest = len(bundle["entry"]), bundles.digest(body)
    headers = {
        "Content-Type": "application/fhir+json; charset=utf-8",
        "Accept": "application/fhir+json",
        signing.HEADER: signing.header_value(body, settings.FHIR_EXPORT_SIGNING_KEY),
        # Lets the receiver recognise a retry of a bundle it already took.
        "X-Lantern-Export": export.reference,
    }
    try:
        export.answered = transport.post(
            settings.FHIR_EXPORT_URL, body, headers=headers, timeout=settings.FHIR_EXPORT_TIMEOUT
        )
    except transport.ExportError as exc:
        export.answered = exc.status
        export.save(update_fields=["entries", "digest", "answered"])
        if exc.reached:
            # The receiver may hold the record now: a missing line could never be found later.
            export.record_disclosure(consent, _channel(export))
        raise
    export.save(update_fields=["entries", "digest", "answered"])
    export.record_disclosure(consent, _channel(export))
    log.info("Record export %s delivered (HTTP %s, %s entries)", export.pk, export.answered, export.entries)


def write_out(
    lead, *, how: str, by, channel: str, deliver: Callable[[bytes], None] | None = None
) -> tuple[RecordExport, bytes]:
    """Build and check the bundle, hand it to `deliver` (write the file), and record the export and
    its disclosure, all or nothing: a refusal, an invalid bundle or a failed write leaves no trace
    but the error. Raises ExportRefused, bundle.InvalidBundle or what `deliver` raises."""
    with transaction.atomic():
        if refusal := export_refusal(lead):
            raise ExportRefused(refusal)
        consent = HandoffConsent.objects.covering(lead)
        export = RecordExport.objects.create(
            lead=lead,
            how=how,
            requested_by=by,
            consent=consent,
            status=RecordExport.Status.SENT,
            attempts=1,
            finished_at=timezone.now(),
        )
        bundle = bundles.build(lead, consent, reference=export.reference)
        bundles.validate(bundle)
        body = bundles.serialise(bundle, indent=2)
        export.entries, export.digest = len(bundle["entry"]), bundles.digest(body)
        export.save(update_fields=["entries", "digest"])
        if deliver is not None:
            deliver(body)
        export.record_disclosure(consent, channel)
    return export, body
