from django.contrib.auth import views as auth_views
from django.urls import path

from . import auth_views as staff_auth
from . import consent_views, lead_facts_views, metrics_views, queue_views, roster_views, staff_views

app_name = "staff"

urlpatterns = [
    path("login/", staff_auth.StaffLoginView.as_view(), name="login"),
    path("login/verify/", staff_auth.mfa, name="mfa"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("security/", staff_auth.security, name="security"),
    path("security/recovery-codes/", staff_auth.recovery_codes, name="recovery_codes"),
    path("security/recovery-codes/new/", staff_auth.new_recovery_codes, name="new_recovery_codes"),
    path("security/sign-out-everywhere/", staff_auth.sign_out_everywhere, name="sign_out_everywhere"),
    path("", queue_views.queue, name="queue"),
    path("search/", queue_views.search, name="search"),
    path("leads/<int:lead_id>/", staff_views.lead_detail, name="lead"),
    path("leads/<int:lead_id>/claim/", staff_views.claim, name="claim"),
    path("leads/<int:lead_id>/release/", staff_views.release, name="release"),
    path("leads/<int:lead_id>/assign/", staff_views.assign, name="assign"),
    path("leads/<int:lead_id>/attempts/", staff_views.log_attempt, name="log_attempt"),
    path("leads/<int:lead_id>/notes/", staff_views.add_note, name="add_note"),
    path("leads/<int:lead_id>/contact-preferences/", staff_views.contact_preferences, name="contact_preferences"),
    path("leads/<int:lead_id>/status/", staff_views.change_status, name="change_status"),
    path("leads/<int:lead_id>/close/", staff_views.close_lead, name="close"),
    path("leads/<int:lead_id>/reopen/", staff_views.reopen, name="reopen"),
    path("leads/<int:lead_id>/follow-up/", staff_views.follow_up, name="follow_up"),
    path("leads/<int:lead_id>/merge/", staff_views.merge, name="merge"),
    path("leads/<int:lead_id>/merges/<int:merge_id>/undo/", staff_views.undo_merge, name="undo_merge"),
    path("leads/<int:lead_id>/facility-and-source/", lead_facts_views.lead_facts, name="lead_facts"),
    path("leads/<int:lead_id>/audit/", staff_views.lead_audit, name="lead_audit"),
    path("leads/<int:lead_id>/part2-revocation/", consent_views.record_revocation, name="part2_revocation"),
    path("roster/", roster_views.roster, name="roster"),
    path("roster/<int:user_id>/", roster_views.roster_edit, name="roster_edit"),
    path("metrics/", metrics_views.metrics, name="metrics"),
    path("metrics/export.csv", metrics_views.metrics_csv, name="metrics_csv"),
]
