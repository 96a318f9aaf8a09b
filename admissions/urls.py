"""Admissions' staff pages, under /staff/ beside intake's (same sign-in, second factor and
no-store rules: intake.middleware treats every /staff/ path alike)."""

from django.urls import path

app_name = "admissions"

urlpatterns: list = []

# Referrals out (issue 18 point 6).
from . import referral_views  # noqa: E402

urlpatterns += [
    path("partners/", referral_views.partners, name="partners"),
    path("leads/<int:lead_id>/refer/", referral_views.refer, name="refer"),
    path("leads/<int:lead_id>/refer/consent/", referral_views.referral_consent, name="referral_consent"),
    path("referrals/", referral_views.referrals, name="referrals"),
    path("referrals/<int:referral_id>/", referral_views.referral, name="referral"),
    path("referrals/<int:referral_id>/state/", referral_views.referral_state, name="referral_state"),
]
