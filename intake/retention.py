"""Retention: closed leads are anonymised settings.RETENTION_DAYS days after they closed.

Every encrypted column is PHI by definition, so anonymising a lead blanks every encrypted field
of the lead, of its requests, attempts, notes, events and merge reasons, and each part other apps keep
about the lead (intake.extensions: verification blanks its requests and checks and deletes the
card photos).
What is left are the facts the metrics need: kinds, statuses, timestamps, counts, outcomes and
source attribution.

A lead is processed once. Its phone_hash, a keyed HMAC in hex, is replaced by ANONYMISED_PREFIX
plus random hex: duplicate look-ups can no longer match it, and the marker sits on the row itself
(written in the same transaction as the blanking), so finding the leads still to do is one
indexed query and no decryption. The audit log also records each anonymisation, but the audit
log is evidence, not workflow state.
"""

import datetime as dt
import logging
import secrets
from collections import Counter
from dataclasses import dataclass, field

from auditlog import get_logentry_model
from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .audit import record
from .crypto import EncryptedMixin
from .extensions import lead_parts
from .models import (
    CLOSED_STATUSES,
    ContactAttempt,
    Disclosure,
    Lead,
    LeadEvent,
    LeadMerge,
    LeadNote,
    LeadRequest,
    LeadStatus,
    Part2Consent,
)
from .models.lead import ANONYMISED_PREFIX

log = logging.getLogger(__name__)

# What an anonymised free-text or name field says. Fields that were empty stay empty.
REMOVED = "[removed]"
# Required (NOT NULL) encrypted dates (a verification's date of birth) get this placeholder;
# nullable ones become NULL.
PLACEHOLDER_DATE = dt.date(1900, 1, 1)

RETAINED_STATUSES = [*CLOSED_STATUSES, LeadStatus.MERGED]


@dataclass
class RetentionResult:
    days: int
    leads: int = 0
    lead_ids: list[int] = field(default_factory=list)
    # Per lead part (by its name): its records anonymised and its files deleted.
    records: Counter = field(default_factory=Counter)
    files: Counter = field(default_factory=Counter)

    @property
    def enabled(self) -> bool:
        return self.days > 0


def retention_days() -> int:
    return int(settings.RETENTION_DAYS or 0)


def expired_leads(now: dt.datetime | None = None, days: int | None = None):
    """Leads closed (or merged) more than `days` ago and not anonymised yet."""
    days = retention_days() if days is None else days
    if days <= 0:
        return Lead.objects.none()
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    return (
        Lead.objects.filter(status__in=RETAINED_STATUSES, closed_at__lt=cutoff)
        .exclude(phone_hash__startswith=ANONYMISED_PREFIX)
        .order_by("pk")
    )


def preview(now: dt.datetime | None = None) -> RetentionResult:
    """What `anonymise_expired` would do, counted without changing anything."""
    result = RetentionResult(days=retention_days())
    leads = expired_leads(now, result.days)
    result.leads = leads.count()
    for part in lead_parts():
        result.records[part.name], result.files[part.name] = part.count_expired(leads)
    return result


def anonymise_expired(now: dt.datetime | None = None, limit: int | None = None) -> RetentionResult:
    """Anonymise every expired lead (at most `limit`), one transaction per lead."""
    result = RetentionResult(days=retention_days())
    if not result.enabled:
        return result
    now = now or timezone.now()
    pks = list(expired_leads(now, result.days).values_list("pk", flat=True)[:limit])
    for pk in pks:
        done = anonymise_lead(pk, now=now, days=result.days)
        if done is None:
            continue
        result.leads += 1
        result.lead_ids.append(pk)
        for name, (records, files) in done.pop("parts").items():
            result.records[name] += records
            result.files[name] += files
    if result.leads:
        log.info("Retention: anonymised %s leads closed over %s days ago", result.leads, result.days)
    return result


def anonymise_lead(pk: int, *, now: dt.datetime, days: int) -> dict | None:
    """Anonymise one lead if it is still expired; None if another run got there first. Returns
    the lead's audit details, and under "parts" each part's (records, files).

    The lead row is locked (skipping it if a concurrent run holds it) and checked again, so
    two runs at once (the beat task and the command) never process a lead twice.
    """
    with transaction.atomic(), disable_auditlog():
        lead = (
            expired_leads(now, days)
            .select_for_update(skip_locked=True, of=("self",))
            .filter(pk=pk)
            .only("pk", "kind", "status")
            .first()
        )
        if lead is None:
            return None
        summary = {
            "retention": "anonymised",
            "days": days,
            "lead_id": lead.pk,
            "requests": blank(LeadRequest.objects.filter(lead=lead)),
            "attempts": blank(ContactAttempt.objects.filter(lead=lead)),
            "notes": blank(LeadNote.objects.filter(lead=lead)),
            # A reopening's reason, a referral's destination, an outcome's note.
            "events": blank(LeadEvent.objects.filter(lead=lead)),
            # The consent as signed names the patient; the accounting keeps when, what and why.
            "part2_consents": blank(Part2Consent.objects.filter(lead_request__lead=lead)),
            "disclosures": blank(Disclosure.objects.filter(lead=lead)),
            # Why it was merged (or unmerged), in a supervisor's words: free text, so PHI.
            "merges": blank(LeadMerge.objects.involving(lead)),
        }
        parts = {}
        for part in lead_parts():
            # A part deletes its files inside this transaction: if the database work then fails,
            # the lead stays unprocessed and the next run tries again (deleting a missing file is
            # a no-op). After the commit instead, a crash would leave files no row points to.
            done = part.anonymise(lead)
            parts[part.name] = (done.records, done.files)
            summary.update(done.details)
        leads = Lead.objects.filter(pk=lead.pk)
        blank(leads)
        leads.update(phone_hash=ANONYMISED_PREFIX + secrets.token_hex(24))
        _record(lead, summary)
    return {**summary, "parts": parts}


def _encrypted_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedMixin)]


def blank(queryset) -> int:
    """Blank every encrypted column of the rows in `queryset`; return how many rows there are.

    Queryset updates: no model is loaded (so no PHI is decrypted), no save signal fires (so
    the audit log's own diff is not involved), and values still go through the field, so the
    marker is stored encrypted like anything else in these columns.
    """
    rows = queryset.count()
    if not rows:
        return 0
    for f in _encrypted_fields(queryset.model):
        if isinstance(f, models.DateField):
            queryset.update(**{f.name: None if f.null else PLACEHOLDER_DATE})
        elif isinstance(f, models.EmailField):
            # An empty address rather than a marker that links as mailto:[removed].
            queryset.update(**{f.name: ""})
        else:
            queryset.exclude(**{f.name: ""}).exclude(**{f"{f.name}__isnull": True}).update(**{f.name: REMOVED})
    return rows


def _record(lead: Lead, summary: dict) -> None:
    """One audit entry per lead, by nobody (the retention job), naming no PHI."""
    record(lead, get_logentry_model().Action.UPDATE, label=f"Lead #{lead.pk}", **summary)
