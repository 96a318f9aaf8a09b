"""Facilities and referral sources in /admin/.

Leads (and admissions' programmes) hold on to both with PROTECT: a facility or a source that
has been used is deactivated, never deleted, so old leads keep saying where they were worked and
who sent them. The admin says so in words instead of Django's page of protected objects.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect

from .models import Facility, ReferralSource

KEEP_INSTEAD = "{names} {verb} used by {what}: untick “Active” instead (old leads keep it). Nothing was deleted."


class FacilityForm(forms.ModelForm):
    class Meta:
        model = Facility
        fields = ["name", "street_address", "city", "state", "postal_code", "phone", "npi", "tax_id"]
        fields += ["is_default", "active"]

    def clean_tax_id(self) -> str:
        tax_id = self.cleaned_data["tax_id"].strip()
        if tax_id and not re.fullmatch(r"\d{2}-?\d{7}", tax_id):
            raise forms.ValidationError("A tax ID (EIN) is 9 digits, written like 12-3456789.")
        return tax_id

    def validate_constraints(self) -> None:
        # The one-default constraint is kept by Facility.save moving the mark from the old default,
        # so ticking "default" on another facility is allowed, not refused as a clash.
        try:
            self.instance.validate_constraints(exclude={*self._get_validation_exclusions(), "is_default"})
        except ValidationError as exc:
            self._update_errors(exc)

    def clean(self):
        cleaned = super().clean()
        # Ticking "default" elsewhere moves the mark (Facility.save); unticking it here would leave
        # new requests without the facility the team chose for them.
        if self.instance.pk and self.instance.is_default and not cleaned.get("is_default"):
            self.add_error("is_default", "One facility must be the default: tick “default” on another one instead.")
        return cleaned


class KeptWhenUsedAdmin(admin.ModelAdmin):
    """Deletion only of rows nothing points at; the rest are deactivated."""

    actions = ["delete_selected"]
    used_by = "leads"

    def usage(self, obj) -> str:
        """What still points at `obj`, in words ("3 leads"), or "" when nothing does."""
        raise NotImplementedError

    @admin.action(permissions=["delete"], description="Delete selected (only ones never used)")
    def delete_selected(self, request, queryset):
        used = [str(obj) for obj in queryset if self.usage(obj)]
        if used:
            self.message_user(request, self._kept(used), messages.ERROR)
            return None
        return django_delete_selected(self, request, queryset)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.usage(obj):
            self.message_user(request, self._kept([str(obj)], self.usage(obj)), messages.ERROR)
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", obj.pk)
        return super().delete_view(request, object_id, extra_context)

    def _kept(self, names: list[str], what: str = "") -> str:
        verb = "is" if len(names) == 1 else "are"
        return KEEP_INSTEAD.format(names=", ".join(names), verb=verb, what=what or self.used_by)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@admin.register(Facility)
class FacilityAdmin(KeptWhenUsedAdmin):
    form = FacilityForm
    list_display = ["name", "town", "phone", "npi", "is_default", "active", "lead_count", "programme_count"]
    list_filter = ["active", "is_default", "state"]
    search_fields = ["name", "city", "npi"]
    used_by = "leads or programmes"
    fieldsets = [
        (None, {"fields": ["name", "is_default", "active"]}),
        ("Address and phone", {"fields": ["street_address", "city", "state", "postal_code", "phone"]}),
        ("For Good Faith Estimates", {"fields": ["npi", "tax_id"]}),
    ]

    def get_queryset(self, request):
        # Distinct counts: two joins in one query would otherwise multiply each other.
        return (
            super()
            .get_queryset(request)
            .annotate(leads_count=Count("leads", distinct=True), programmes_count=Count("programmes", distinct=True))
        )

    @admin.display(description="Town")
    def town(self, facility: Facility) -> str:
        return ", ".join(part for part in [facility.city, facility.state] if part)

    @admin.display(description="Leads", ordering="leads_count")
    def lead_count(self, facility: Facility) -> int:
        return facility.leads_count

    @admin.display(description="Programmes", ordering="programmes_count")
    def programme_count(self, facility: Facility) -> int:
        return facility.programmes_count

    def usage(self, facility: Facility) -> str:
        leads, programmes = facility.leads.count(), facility.programmes.count()
        words = [_count(leads, "lead") if leads else "", _count(programmes, "programme") if programmes else ""]
        return " and ".join(word for word in words if word)


@admin.register(ReferralSource)
class ReferralSourceAdmin(KeptWhenUsedAdmin):
    list_display = ["name", "kind", "contact_name", "phone", "email", "active", "lead_count"]
    list_filter = ["active", "kind"]
    search_fields = ["name", "contact_name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(leads_count=Count("leads"))

    @admin.display(description="Leads", ordering="leads_count")
    def lead_count(self, source: ReferralSource) -> int:
        return source.leads_count

    def usage(self, source: ReferralSource) -> str:
        leads = source.leads.count()
        return _count(leads, "lead") if leads else ""
