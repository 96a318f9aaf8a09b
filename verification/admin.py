from django.contrib import admin

from .models import Payer


@admin.register(Payer)
class PayerAdmin(admin.ModelAdmin):
    """The insurers visitors can choose; admins keep the list and the clearinghouse ids."""

    list_display = ["name", "payer_id", "active", "position"]
    list_editable = ["active", "position"]
    search_fields = ["name", "payer_id"]
