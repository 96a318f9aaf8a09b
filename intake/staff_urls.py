from django.contrib.auth import views as auth_views
from django.urls import path

from . import metrics_views, staff_views

app_name = "staff"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="staff/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", staff_views.queue, name="queue"),
    path("leads/<int:lead_id>/", staff_views.lead_detail, name="lead"),
    path("metrics/", metrics_views.metrics, name="metrics"),
    path("metrics/export.csv", metrics_views.metrics_csv, name="metrics_csv"),
]
