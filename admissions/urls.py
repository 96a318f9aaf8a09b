"""Admissions' staff pages, under /staff/ beside intake's (same sign-in, second factor and
no-store rules: intake.middleware treats every /staff/ path alike)."""

from django.urls import path

from . import bed_views, board_views

app_name = "admissions"

urlpatterns: list = [
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
