"""The staff side of intake. Every page here shows or leads to PHI: login, role and audit."""

from auditlog.signals import accessed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Lead
from .permissions import admissions_required


def _get_lead_for_user(request: HttpRequest, lead_id: int) -> Lead:
    lead = get_object_or_404(Lead, pk=lead_id)
    # Every look at a lead's PHI leaves an audit row: who, which lead, when, from where.
    accessed.send(sender=Lead, instance=lead)
    return lead


@admissions_required
def queue(request: HttpRequest) -> HttpResponse:
    leads = Lead.objects.open().queue_order()[:100]
    return render(request, "staff/queue.html", {"leads": leads})


@admissions_required
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _get_lead_for_user(request, lead_id)
    return render(
        request,
        "staff/lead_detail.html",
        {
            "lead": lead,
            "requests": lead.requests.all(),
            "notifications": lead.notifications.select_related("recipient"),
        },
    )
