from django.urls import path

from . import views

app_name = "handoff"

urlpatterns = [
    path("leads/<int:lead_id>/clinical-record/consent/", views.record_consent, name="consent"),
    path("clinical-record/consents/<int:handoff_consent_id>/revoke/", views.revoke_consent, name="consent_revoke"),
    path("leads/<int:lead_id>/clinical-record/send/", views.send, name="send"),
    path("leads/<int:lead_id>/clinical-record/download/", views.download, name="download"),
]
