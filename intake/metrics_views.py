"""Supervisor metrics: speed-to-lead and outcomes. (Being built.)"""

from django.http import HttpRequest, HttpResponse

from .permissions import supervisor_required


@supervisor_required
def metrics(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Metrics are on their way.")


@supervisor_required
def metrics_csv(request: HttpRequest) -> HttpResponse:
    return HttpResponse("", content_type="text/csv")
