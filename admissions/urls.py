"""Admissions' staff pages, under /staff/ beside intake's (same sign-in, second factor and
no-store rules: intake.middleware treats every /staff/ path alike)."""

from django.urls import path

from . import review_views, screen_views

app_name = "admissions"

urlpatterns: list = [
    path("leads/<int:lead_id>/screen/", screen_views.screen, name="screen"),
    path("clinical-review/", review_views.review_list, name="review_list"),
    path("leads/<int:lead_id>/review/", review_views.review, name="review"),
]
