"""The partner directory in /admin/: admins add and edit the organisations staff refer people to."""

from django import forms
from django.contrib import admin

from .models import Partner, PartnerService


class PartnerAdminForm(forms.ModelForm):
    services = forms.MultipleChoiceField(
        label="Levels of care and services", choices=PartnerService.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Partner
        fields = [
            "name",
            "services",
            "payers",
            "accepts_medicaid",
            "accepts_self_pay",
            "min_age",
            "max_age",
            "address",
            "phone",
            "intake_hours",
            "website",
            "notes",
            "active",
        ]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    form = PartnerAdminForm
    list_display = ["name", "phone", "services_offered", "accepts_medicaid", "accepts_self_pay", "active"]
    list_filter = ["active", "accepts_medicaid", "accepts_self_pay", "payers"]
    search_fields = ["name"]
    filter_horizontal = ["payers"]

    @admin.display(description="Offers")
    def services_offered(self, partner: Partner) -> str:
        return ", ".join(partner.service_labels)
