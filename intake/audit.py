"""The audit log: masking PHI in it, naming who acted for good, and keeping it unchangeable.

django-auditlog only ever creates entries. Nothing in Lantern may change or delete one: in the
admin (`harden_auditlog_admin`, view only, even for superusers), through the ORM once
`protect_audit_log` is called (saving an existing entry or deleting any raises), and in the
database itself (a trigger from intake's migration refuses UPDATE and DELETE, raw SQL and
`QuerySet.update()` included). Every new entry carries a copy of who acted (`keep_authors`), so
it names them even if their account could be removed. The hooks are meant to be connected from
an AppConfig.ready().
"""

from contextlib import contextmanager
from functools import cache

from auditlog import get_logentry_model
from auditlog.context import auditlog_value, set_actor
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q
from django.db.models.signals import pre_delete, pre_save
from django.utils import timezone

from .clientip import client_ip


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
    return record(obj, get_logentry_model().Action.ACCESS, request=request, **details)


def record_change(request, obj, **details):
    """A staff member changed `obj` in a way auditlog's field tracking does not see (a bulk
    move, a claim made with a conditional UPDATE, a roster change)."""
    return record(obj, get_logentry_model().Action.UPDATE, request=request, **details)


def entries_about_lead(lead):
    """Every entry a lead's audit page lists: changes to it and its records (`lead_id`), and every
    view that showed it among others, such as a queue page naming the leads on it (`lead_ids`)."""
    LogEntry = get_logentry_model()
    about = Q(content_type=ContentType.objects.get_for_model(lead), object_id=lead.pk) | Q(
        additional_data__lead_id=lead.pk
    )
    if connection.features.supports_json_field_contains:
        # PostgreSQL answers this from the GIN index on additional_data -> 'lead_ids' (intake 0015).
        about |= Q(additional_data__lead_ids__contains=[lead.pk])
    else:
        # SQLite (make run) has no JSON containment: the listing views are read and matched here.
        listings = LogEntry.objects.filter(additional_data__has_key="lead_ids").values_list("pk", "additional_data")
        about |= Q(pk__in=[pk for pk, data in listings if lead.pk in data["lead_ids"]])
    return LogEntry.objects.filter(about)


# --- The admin: view only --------------------------------------------------------------------


class ReadOnlyAdminMixin:
    """For a ModelAdmin that lists and shows, and never adds, changes or deletes."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@cache
def read_only_logentry_admin() -> type:
    """auditlog's own LogEntry admin (its lists, filters and change rendering) with every
    write refused. Built on first use: auditlog's admin module needs the app registry."""
    from auditlog.admin import LogEntryAdmin

    # auditlog's admin allows deletes "as a cascade" from other admin pages; not here.
    class ReadOnlyLogEntryAdmin(ReadOnlyAdminMixin, LogEntryAdmin):
        pass

    return ReadOnlyLogEntryAdmin


def harden_auditlog_admin(site=None) -> None:
    """Register the view-only LogEntry admin on `site` (the default admin site), replacing
    auditlog's. Idempotent."""
    # Imported first so that auditlog's own registration has happened and can't come later (and
    # fail with AlreadyRegistered, or replace ours); here, since it needs the app registry ready.
    import auditlog.admin  # noqa: F401

    site = site or admin.site
    LogEntry = get_logentry_model()
    if site.is_registered(LogEntry):
        site.unregister(LogEntry)
    site.register(LogEntry, read_only_logentry_admin())


# --- The model layer: entries are created, never changed or deleted ----------------------------


class AuditLogImmutable(PermissionDenied):
    """An attempt to change or delete an audit log entry."""


_GUARD_UID = "intake.audit.protect_audit_log"
_protected = False


def _refuse_change(sender, instance, **kwargs) -> None:
    if instance.pk is None:
        return
    # A new entry with a chosen pk is fine; saving over a stored one is not.
    if not instance._state.adding or sender._base_manager.filter(pk=instance.pk).exists():
        raise AuditLogImmutable(f"Audit log entry {instance.pk} cannot be changed.")


def _refuse_delete(sender, instance, **kwargs) -> None:
    raise AuditLogImmutable(f"Audit log entry {instance.pk} cannot be deleted.")


def protect_audit_log() -> bool:
    """Refuse, at the model layer, to save over or delete an existing LogEntry (creating one
    is untouched). Returns False if it was already on."""
    global _protected
    LogEntry = get_logentry_model()
    pre_save.connect(_refuse_change, sender=LogEntry, dispatch_uid=f"{_GUARD_UID}.save")
    pre_delete.connect(_refuse_delete, sender=LogEntry, dispatch_uid=f"{_GUARD_UID}.delete")
    newly, _protected = not _protected, True
    return newly


def _unprotect_audit_log() -> None:
    """For tests that turn the guard on themselves."""
    global _protected
    LogEntry = get_logentry_model()
    pre_save.disconnect(sender=LogEntry, dispatch_uid=f"{_GUARD_UID}.save")
    pre_delete.disconnect(sender=LogEntry, dispatch_uid=f"{_GUARD_UID}.delete")
    _protected = False


# --- Who acted: a copy that outlives the account -------------------------------------------------
#
# The entry's `actor` is a foreign key, which a deleted account would leave pointing nowhere (and
# auditlog's SET_NULL would empty). So each new entry also keeps, in `actor_email` and
# `additional_data["actor"]`, the username, full name and email the person had when they acted.
# The entry is immutable from then on, so the copy is too.

_AUTHOR_UID = "intake.audit.keep_authors"


def _auditlog_context_actor():
    """The actor of the auditlog block in force (its middleware's request, or `set_actor()`).
    auditlog sets its entries' actor from a pre_save receiver it connects for the block, after
    ours has run, so ours asks the same context. auditlog leaves the context variable set when
    a block ends and only disconnects that receiver: the actor counts only while it is connected."""
    try:
        context = auditlog_value.get()
    except LookupError:
        return None
    in_force = any(lookup_key[0] == context.get("signal_duid") for lookup_key, *_ in pre_save.receivers)
    actor = context.get("actor") if in_force else None
    return actor if isinstance(actor, get_user_model()) else None  # as auditlog decides


@contextmanager
def acting_as(user):
    """Tracked saves inside this block name `user` as who acted. In a request auditlog's middleware
    already names the signed-in user, and its block is left as it is; a command, a shell or a task
    has no block, and its changes would be logged as nobody's."""
    if _auditlog_context_actor() is not None:
        yield
        return
    # set_actor() replaces the context it finds (say, an anonymous request's, which carries the
    # client address) and does not put it back: it is restored here.
    outer = auditlog_value.get(None)
    try:
        with set_actor(user):
            yield
    finally:
        if outer is not None:
            auditlog_value.set(outer)


def actor_snapshot(user) -> dict:
    return {
        "id": user.pk,
        "username": user.get_username(),
        "full_name": user.get_full_name(),
        "email": user.email,
    }


def _keep_author(sender, instance, **kwargs) -> None:
    if not instance._state.adding:
        return  # an existing entry is never saved again (protect_audit_log)
    actor = instance.actor
    if actor is None:
        actor = _auditlog_context_actor()
        if actor is None:
            return
        instance.actor = actor  # what auditlog's own receiver would set next
    snapshot = actor_snapshot(actor)
    instance.actor_email = snapshot["email"] or instance.actor_email
    data = instance.additional_data
    if data is None or isinstance(data, dict):
        instance.additional_data = {**(data or {}), "actor": snapshot}


def keep_authors() -> None:
    """Copy who acted into every new entry (auditlog's, `record`'s, anyone's), and refuse to
    delete an account the log names. Idempotent."""
    pre_save.connect(_keep_author, sender=get_logentry_model(), dispatch_uid=_AUTHOR_UID)
    pre_delete.connect(refuse_deleting_audited_users, sender=get_user_model(), dispatch_uid=f"{_AUTHOR_UID}.users")


def actor_of(entry) -> dict | None:
    """Who made `entry`: the account if it still exists, else the copy kept in the entry (or,
    for an entry older than the copy, the email auditlog stored). None: the system did."""
    if entry.actor is not None:
        return actor_snapshot(entry.actor) | {"removed": False}
    kept = (entry.additional_data or {}).get("actor") if isinstance(entry.additional_data, dict) else None
    if kept:
        return {**kept, "removed": True}
    if entry.actor_email:
        return {"id": None, "username": "", "full_name": "", "email": entry.actor_email, "removed": True}
    return None


def describe_actor(entry) -> str:
    """One line naming who made `entry`, for staff pages: "avery (Avery Lee)"."""
    who = actor_of(entry)
    if who is None:
        return "system"
    line = who["username"] or who["email"]
    if who["full_name"]:
        line += f" ({who['full_name']})"
    return line + (", account since removed" if who["removed"] else "")


# --- Accounts with a history are deactivated, never deleted ----------------------------------------


class AuditedAccountProtected(PermissionDenied):
    """An attempt to delete a user the audit log names as an actor."""


def has_audit_history(user) -> bool:
    return get_logentry_model().objects.filter(actor=user).exists()


def refuse_deleting_audited_users(sender, instance, **kwargs) -> None:
    """pre_delete of a user: refused, before anything is deleted, when the log names them."""
    if instance.pk is not None and has_audit_history(instance):
        raise AuditedAccountProtected(
            f"{instance.get_username()} appears in the audit log: deactivate the account instead of deleting it."
        )
