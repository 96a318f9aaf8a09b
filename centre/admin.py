from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from .models import CentreProfile, Credential, FeaturedArticle, InsurancePlan, Programme, TeamMember

SPANISH_PROFILE_FIELDS = ["treats_es", "why_us_es", "phone_answered_by_es", "photo_alt_es", "share_image_alt_es"]


class InsurancePlanInline(admin.TabularInline):
    model = InsurancePlan
    extra = 1
    fields = ["position", "name", "note", "note_es"]


class CredentialInline(admin.TabularInline):
    model = Credential
    extra = 1
    fields = ["position", "kind", "body", "number", "verification_url"]


class FeaturedArticleInline(admin.TabularInline):
    model = FeaturedArticle
    extra = 1
    fields = ["position", "article"]
    autocomplete_fields = ["article"]
    verbose_name_plural = "featured articles (only live ones are shown on the home page)"


@admin.register(CentreProfile)
class CentreProfileAdmin(admin.ModelAdmin):
    """The one profile the public site shows: the list goes straight to it, and there is no
    second to add."""

    inlines = [InsurancePlanInline, CredentialInline, FeaturedArticleInline]
    readonly_fields = ["map_link", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "treats", "why_us"]}),
        ("Who answers the phone", {"fields": ["phone_answered_by"]}),
        ("In Spanish (the /es/ pages show the English where these are empty)", {"fields": SPANISH_PROFILE_FIELDS}),
        ("Where the centre is", {"fields": ["street_address", "city", "state", "postal_code", "map_link"]}),
        ("Pictures", {"fields": ["photo", "photo_alt", "share_image", "share_image_alt"]}),
        (None, {"fields": ["updated_at"]}),
    ]

    @admin.display(description="map link")
    def map_link(self, profile: CentreProfile) -> str:
        if not profile.map_url:
            return "Built from the address once it is saved."
        return format_html('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', profile.map_url, "Check it")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not CentreProfile.objects.exists()

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        profile = CentreProfile.objects.current()
        if profile is None:
            return redirect(reverse("admin:centre_centreprofile_add"))
        return redirect(reverse("admin:centre_centreprofile_change", args=[profile.pk]))


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "level", "typical_length", "position", "shown"]
    list_editable = ["position", "shown"]
    fieldsets = [
        (None, {"fields": ["level", "name", "description", "who_for", "typical_length", "position", "shown"]}),
        ("In Spanish", {"fields": ["name_es", "description_es", "who_for_es", "typical_length_es"]}),
    ]


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "credentials", "role", "position", "shown"]
    list_editable = ["position", "shown"]
    search_fields = ["name", "role"]
    fieldsets = [
        (None, {"fields": ["name", "credentials", "role", "bio", "photo", "photo_alt", "position", "shown"]}),
        ("In Spanish", {"fields": ["role_es", "bio_es", "photo_alt_es"]}),
    ]
