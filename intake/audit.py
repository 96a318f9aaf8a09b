"""The audit log: masking PHI in it, and keeping it unchangeable from the application.

django-auditlog only ever creates entries. Nothing in Lantern may change or delete one: in the
admin (`harden_auditlog_admin`, view only, even for superusers) and, once `protect_audit_log`
is called, through the ORM (saving an existing entry or deleting any raises). Both are meant to
be called from an AppConfig.ready(). Raw SQL and `QuerySet.update()` bypass model signals; only
database permissions can close that.
"""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache

from django.core.exceptions import PermissionDenied
from django.db.models.signals import pre_delete, pre_save
from django.utils import timezone


def redact(value: str) -> str:
    """Audit-log mask for PHI fields: the log says a field changed, never to or from what."""
    return "[redacted]"


# --- Entries written by hand ------------------------------------------------------------------
#
# auditlog writes an entry for each tracked save and for each `accessed` signal. Everything else
# Lantern must be able to answer for (a card photo opened, an export, a claim, a merge) is written
# here, so every entry has the same shape: who (the user, and the address they came from), what
# (the object and a short repr naming no PHI), and details that name fields or ids, never values.


def record(obj, action: int, *, actor=None, request=None, label: str | None = None, **details):
    """One audit entry about `obj` (a model instance, or a model class for an event about many
    rows). `request` supplies the actor and the client address. `label` replaces str(obj) as the
    entry's repr; it and `details` (stored as additional_data) must name no PHI. `lead_id=` ties
    the entry to a lead's audit page."""
    from auditlog import get_logentry_model
    from django.contrib.contenttypes.models import ContentType

    from .clientip import client_ip

    LogEntry = get_logentry_model()
    if request is not None and actor is None and request.user.is_authenticated:
        actor = request.user
    is_instance = not isinstance(obj, type)
    pk = getattr(obj, "pk", None) if is_instance else None
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_pk=str(pk) if pk is not None else details.pop("object_pk", ""),
        object_id=pk if isinstance(pk, int) else None,
        object_repr=label or (str(obj) if is_instance else obj._meta.verbose_name),
        action=action,
        actor=actor,
        remote_addr=client_ip(request) if request is not None else None,
        timestamp=timezone.now(),
        additional_data={key: value for key, value in details.items() if value is not None} or None,
    )


def record_access(request, obj, **details):
    """A staff member saw PHI of `obj` (a page, a photo, an export)."""
    from auditlog import get_logentry_model

    return record(obj, get_logentry_model().Action.ACCESS, request=request, **details)


def record_change(request, obj, **details):
    """A staff member changed `obj` in a way auditlog's field tracking does not see (a bulk
    move, a claim made with a conditional UPDATE, a roster change)."""
    from auditlog import get_logentry_model

    return record(obj, get_logentry_model().Action.UPDATE, request=request, **details)


# --- The admin: view only --------------------------------------------------------------------


@cache
def read_only_logentry_admin() -> type:
    """auditlog's own LogEntry admin (its lists, filters and change rendering) with every
    write refused. Built on first use: auditlog's admin module needs the app registry."""
    from auditlog.admin import LogEntryAdmin

    class ReadOnlyLogEntryAdmin(LogEntryAdmin):
        # auditlog's admin allows deletes "as a cascade" from other admin pages; not here.
        def has_add_permission(self, request) -> bool:
            return False

        def has_change_permission(self, request, obj=None) -> bool:
            return False

        def has_delete_permission(self, request, obj=None) -> bool:
            return False

    return ReadOnlyLogEntryAdmin


def harden_auditlog_admin(site=None) -> None:
    """Register the view-only LogEntry admin on `site` (the default admin site), replacing
    auditlog's. Idempotent."""
    # Imported first so that auditlog's own registration has happened and can't come later
    # (and fail with AlreadyRegistered, or replace ours).
    import auditlog.admin  # noqa: F401
    from auditlog import get_logentry_model
    from django.contrib import admin

    site = site or admin.site
    LogEntry = get_logentry_model()
    if site.is_registered(LogEntry):
        site.unregister(LogEntry)
    site.register(LogEntry, read_only_logentry_admin())


# --- The model layer: entries are created, never changed or deleted ----------------------------


class AuditLogImmutable(PermissionDenied):
    """An attempt to change or delete an audit log entry."""


_GUARD_UID = "intake.audit.protect_audit_log"
_maintenance = ContextVar("audit_log_maintenance", default=False)
_protected = False


@contextlib.contextmanager
def allow_audit_log_changes() -> Iterator[None]:
    """Lift the guard for a deliberate, reviewed maintenance job (none in the application)."""
    token = _maintenance.set(True)
    try:
        yield
    finally:
        _maintenance.reset(token)


def _refuse_change(sender, instance, **kwargs) -> None:
    if instance.pk is None or _maintenance.get():
        return
    # A new entry with a chosen pk is fine; saving over a stored one is not.
    if not instance._state.adding or sender._base_manager.filter(pk=instance.pk).exists():
        raise AuditLogImmutable(f"Audit log entry {instance.pk} cannot be changed.")


def _refuse_delete(sender, instance, **kwargs) -> None:
    if not _maintenance.get():
        raise AuditLogImmutable(f"Audit log entry {instance.pk} cannot be deleted.")


def protect_audit_log() -> bool:
    """Refuse, at the model layer, to save over or delete an existing LogEntry (creating one
    is untouched). Returns False if it was already on."""
    global _protected
    from auditlog import get_logentry_model

    LogEntry = get_logentry_model()
    pre_save.connect(_refuse_change, sender=LogEntry, dispatch_uid=f"{_GUARD_UID}.save")
    pre_delete.connect(_refuse_delete, sender=LogEntry, dispatch_uid=f"{_GUARD_UID}.delete")
    newly, _protected = not _protected, True
    return newly


def _unprotect_audit_log() -> None:
    """For tests that turn the guard on themselves."""
    global _protected
    from auditlog import get_logentry_model

    LogEntry = get_logentry_model()
    pre_save.disconnect(sender=LogEntry, dispatch_uid=f"{_GUARD_UID}.save")
    pre_delete.disconnect(sender=LogEntry, dispatch_uid=f"{_GUARD_UID}.delete")
    _protected = False
