"""Cost estimates' share of a lead: the "Cost estimate" panel on the staff lead page, each
estimate issued and emailed on the timeline, and retention that keeps an estimate for the six
years the No Surprises Act asks, however early the lead itself is anonymised (admissions.tasks blanks
those kept then, once their six years are up)."""

from intake.extensions import Anonymised, LeadPart, TimelineEntry
from intake.templatetags.lantern import money

from .models import GoodFaithEstimate


class CostEstimates(LeadPart):
    name = "estimates"
    relations = ("good_faith_estimates",)
    records_noun = "cost estimates"
    page_template = "admissions/_estimate_panel.html"

    def page_context(self, lead) -> dict:
        verifications = list(lead.verifications.all())
        return {
            "estimates": list(lead.good_faith_estimates.select_related("issued_by")),
            "offer_gfe": not verifications or any(v.outcome == "not_covered" for v in verifications),
            "verifications": verifications,
        }

    def count_expired(self, leads) -> tuple[int, int]:
        return GoodFaithEstimate.objects.filter(lead__in=leads).past_keeping().count(), 0

    def anonymise(self, lead) -> Anonymised:
        # Only estimates past their six years: a younger one is what the centre must be able to
        # show it told the person, so it outlives the lead's own retention.
        done = Anonymised(records=lead.good_faith_estimates.past_keeping().blank())
        done.details["cost_estimates"] = done.records
        return done

    def timeline(self, lead) -> list[TimelineEntry]:
        entries = []
        for estimate in lead.good_faith_estimates.select_related("issued_by").prefetch_related("emails"):
            what = f"Good Faith Estimate {estimate.reference} issued (total {money(estimate.total)})"
            entries.append(TimelineEntry("part", estimate.issued_at, what, estimate.issued_by, item=estimate))
            for email in estimate.emails.all():
                state = email.get_status_display().lower()
                what = f"{estimate.reference} emailed to the person: {state}"
                entries.append(TimelineEntry("part", email.created_at, what, email.requested_by))
        return entries
