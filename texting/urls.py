from django.urls import path

from . import staff_views, views

app_name = "texting"

urlpatterns = [
    path("sms/inbound/", views.inbound, name="inbound"),
    # Staff pages under /staff/, like admissions' (same sign-in, second factor and no-store rules).
    # One view, two names: GET is the lead page's live poll, POST writes a text.
    path("staff/leads/<int:lead_id>/texts/", staff_views.texts, name="conversation"),
    path("staff/leads/<int:lead_id>/texts/", staff_views.texts, name="send"),
]
