"""Admissions in /admin/: programmes (what each facility offers, at what capacity and price)
here; partners in their own module, imported so Django finds it."""

from django.contrib import admin

from . import partner_admin  # noqa: F401
from .models import Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "facility",
        "level",
        "capacity_shown",
        "typical_length_days",
        "daily_price",
        "service_code",
        "ages",
        "accepts_self_pay",
        "active",
    ]
    list_filter = ["facility", "level", "active", "accepts_self_pay", "payers"]
    list_select_related = ["facility"]
    search_fields = ["name", "service_code", "facility__name"]
    filter_horizontal = ["payers"]
    fieldsets = [
        (None, {"fields": ["facility", "level", "name", "active"]}),
        ("Capacity and length", {"fields": ["capacity", "typical_length_days"]}),
        ("Price", {"fields": ["daily_price", "service_code", "accepts_self_pay"]}),
        ("Who it takes", {"fields": ["min_age", "max_age", "payers"]}),
    ]

    @admin.display(description="Capacity", ordering="capacity")
    def capacity_shown(self, programme: Programme) -> str:
        return f"{programme.capacity} {programme.unit}{'' if programme.capacity == 1 else 's'}"

    @admin.display(description="Ages")
    def ages(self, programme: Programme) -> str:
        return f"{programme.min_age}–{programme.max_age}" if programme.max_age is not None else f"{programme.min_age}+"
