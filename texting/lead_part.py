"""Texting's share of a lead, registered with intake (intake.extensions): the conversation panel
on the staff lead page, unread counts on the queue, the texts moved with a merge, and retention
blanking their words and numbers with the rest of the lead."""

from intake.extensions import Anonymised, Fact, LeadPart
from intake.retention import blank

from .models import IncomingText, OutgoingText, unread_counts

# A number's keyed hash is replaced with this on an anonymised text, as intake does for a lead.
ANONYMISED_HASH = "anon:text"


class Conversation(LeadPart):
    name = "texting"
    relations = ("incoming_texts", "outgoing_texts")
    records_noun = "texts"
    page_template = "texting/_conversation_panel.html"

    def page_context(self, lead) -> dict:
        # The panel is built by its template tag (texting.templatetags.conversation), which has the
        # request: each render is audited and marks the texts read for the person looking.
        return {"lead": lead}

    def queue_marks(self, lead_ids: list[int]) -> dict[int, Fact]:
        return {
            lead_id: Fact(f"{n} unread text{'s' if n != 1 else ''}", "warning")
            for lead_id, n in unread_counts(lead_ids).items()
        }

    def count_expired(self, leads) -> tuple[int, int]:
        incoming = IncomingText.objects.filter(lead__in=leads).count()
        return incoming + OutgoingText.objects.filter(lead__in=leads).count(), 0

    def anonymise(self, lead) -> Anonymised:
        done = Anonymised()
        for queryset in (IncomingText.objects.filter(lead=lead), OutgoingText.objects.filter(lead=lead)):
            done.records += blank(queryset)
            queryset.update(phone_hash=ANONYMISED_HASH)
        done.details["texts"] = done.records
        return done
