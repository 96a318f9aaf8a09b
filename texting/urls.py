from django.urls import path

from . import views

app_name = "texting"

urlpatterns = [
    path("sms/inbound/", views.inbound, name="inbound"),
]
