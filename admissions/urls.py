"""Admissions' staff pages, under /staff/ beside intake's (same sign-in, second factor and
no-store rules: intake.middleware treats every /staff/ path alike)."""

from django.urls import path

from . import bed_views, board_views, estimate_views, referral_views, review_views, screen_views

app_name = "admissions"

urlpatterns = [
    # The phone screen and the clinical decision.
    path("leads/<int:lead_id>/screen/", screen_views.screen, name="screen"),
    path("clinical-review/", review_views.review_list, name="review_list"),
    path("leads/<int:lead_id>/review/", review_views.review, name="review"),
    # Referrals out.
    path("partners/", referral_views.partners, name="partners"),
    path("leads/<int:lead_id>/refer/", referral_views.refer, name="refer"),
    path("leads/<int:lead_id>/refer/consent/", referral_views.referral_consent, name="referral_consent"),
    path("referrals/", referral_views.referrals, name="referrals"),
    path(
        "referral-consents/<int:consent_id>/revoke/",
        referral_views.referral_consent_revoke,
        name="referral_consent_revoke",
    ),
    path("referrals/<int:referral_id>/", referral_views.referral, name="referral"),
    path("referrals/<int:referral_id>/state/", referral_views.referral_state, name="referral_state"),
    # Cost estimates: a Good Faith Estimate for a self-pay person, and an insured person's printed one.
    path("leads/<int:lead_id>/good-faith-estimate/", estimate_views.gfe, name="gfe"),
    path("leads/<int:lead_id>/good-faith-estimate/<int:estimate_id>.pdf", estimate_views.gfe_pdf, name="gfe_pdf"),
    path(
        "leads/<int:lead_id>/good-faith-estimate/<int:estimate_id>/email/", estimate_views.gfe_email, name="gfe_email"
    ),
    path("verifications/<int:verification_id>/estimate.pdf", estimate_views.insured_estimate, name="insured_estimate"),
    # Scheduling, beds, the waitlist and the board.
    path("leads/<int:lead_id>/admission/", bed_views.schedule, name="schedule"),
    path("leads/<int:lead_id>/admission.ics", bed_views.admission_ics, name="admission_ics"),
    path("leads/<int:lead_id>/admission/arrived/", bed_views.arrived, name="admission_arrived"),
    path("leads/<int:lead_id>/admission/release/", bed_views.release, name="admission_release"),
    path("leads/<int:lead_id>/admission/discharge/", bed_views.discharge, name="admission_discharge"),
    path("leads/<int:lead_id>/waitlist/", bed_views.join_waitlist, name="waitlist_join"),
    path(
        "leads/<int:lead_id>/waitlist/<int:entry_id>/check-in/", bed_views.waitlist_check_in, name="waitlist_check_in"
    ),
    path("leads/<int:lead_id>/waitlist/<int:entry_id>/leave/", bed_views.waitlist_leave, name="waitlist_leave"),
    path("leads/<int:lead_id>/waitlist/<int:entry_id>/pass/", bed_views.waitlist_pass, name="waitlist_pass"),
    path("board/", board_views.board, name="board"),
]
