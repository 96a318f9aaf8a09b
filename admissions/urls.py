"""Admissions' staff pages, under /staff/ beside intake's (same sign-in, second factor and
no-store rules: intake.middleware treats every /staff/ path alike)."""

from django.urls import path

app_name = "admissions"

urlpatterns: list = []

# Cost estimates: a Good Faith Estimate for a self-pay person, and an insured person's printed one.
from . import estimate_views  # noqa: E402

urlpatterns += [
    path("leads/<int:lead_id>/good-faith-estimate/", estimate_views.gfe, name="gfe"),
    path("leads/<int:lead_id>/good-faith-estimate/<int:estimate_id>.pdf", estimate_views.gfe_pdf, name="gfe_pdf"),
    path(
        "leads/<int:lead_id>/good-faith-estimate/<int:estimate_id>/email/", estimate_views.gfe_email, name="gfe_email"
    ),
    path("verifications/<int:verification_id>/estimate.pdf", estimate_views.insured_estimate, name="insured_estimate"),
]
