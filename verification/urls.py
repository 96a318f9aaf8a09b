from django.urls import path

from . import views

app_name = "verification"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/thanks/", views.thanks, name="thanks"),
    path("staff/verifications/<int:verification_id>/", views.workspace, name="workspace"),
    path("staff/verifications/<int:verification_id>/check/", views.rerun, name="rerun"),
    path("staff/verifications/<int:verification_id>/status/", views.check_status, name="check_status"),
    path("staff/verifications/<int:verification_id>/manual/", views.manual_entry, name="manual"),
    path("staff/verifications/<int:verification_id>/mbi/", views.find_mbi, name="find_mbi"),
    path("staff/verifications/<int:verification_id>/verify/", views.mark_verified, name="mark_verified"),
    path("staff/verifications/<int:verification_id>/close/", views.close, name="close"),
    path("staff/verifications/<int:verification_id>/card/<str:side>/", views.card_image, name="card"),
]
