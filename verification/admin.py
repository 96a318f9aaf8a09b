from django.contrib import admin

from .models import Payer
from .stays import TypicalStay


@admin.register(Payer)
class PayerAdmin(admin.ModelAdmin):
    """The insurers visitors can choose; admins keep the list and the clearinghouse ids. A state's
    Medicaid is a payer of kind Medicaid with that state: visitors reach it through the form's
    Medicaid entry and their state, so it is not listed on the form itself."""

    list_display = ["name", "payer_id", "kind", "state", "multiple_service_types", "active", "position"]
    list_editable = ["multiple_service_types", "active", "position"]
    list_filter = ["kind", "multiple_service_types", "active"]
    search_fields = ["name", "payer_id", "state"]


@admin.register(TypicalStay)
class TypicalStayAdmin(admin.ModelAdmin):
    """The length and price of a typical stay per level of care: the benefits workspace's estimate
    of what a person would pay is worked out from them."""

    list_display = ["level", "length", "unit", "price"]
    list_editable = ["length", "unit", "price"]
