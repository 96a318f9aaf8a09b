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


def redact(value: str) -> str:
    """Audit-log mask for PHI fields: the log says a field changed, never to or from what."""
    return "[redacted]"


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
