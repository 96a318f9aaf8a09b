"""Verification's share of a lead, registered with intake (intake.extensions) from apps.py:
retention blanks its requests and checks and deletes the card photos, key rotation re-encrypts
the photos, and the staff lead page shows its requests and their Part 2 warnings."""

from collections.abc import Iterator
from pathlib import Path

from intake.extensions import Anonymised, LeadPart
from intake.retention import blank

from . import cards
from .models import VerificationRequest


class Verifications(LeadPart):
    name = "verification"
    relations = ("verifications",)
    records_noun = "insurance verifications"
    files_noun = "card files"
    page_template = "verification/_lead_verifications.html"
    part2_template = "verification/_lead_part2.html"

    def health(self) -> dict[str, str]:
        return {"private_media": cards.store_health()}

    def count_expired(self, leads) -> tuple[int, int]:
        names = VerificationRequest.objects.filter(lead__in=leads).values_list("card_front", "card_back")
        records = files = 0
        for front, back in names:
            records += 1
            files += bool(front) + bool(back)
        return records, files

    def anonymise(self, lead) -> Anonymised:
        done = Anonymised(details={"verification": 0, "eligibility_checks": 0, "card_files": 0})
        for verification in VerificationRequest.objects.filter(lead=lead):
            done.records += 1
            done.files += len(verification.card_names())
            verification.delete_cards()
            one = VerificationRequest.objects.filter(pk=verification.pk)
            blank(one)
            one.update(card_front="", card_back="")
            done.details["eligibility_checks"] += blank(verification.checks.all())
        done.details.update(verification=done.records, card_files=done.files)
        return done

    def encrypted_files(self) -> Iterator[Path]:
        root = cards.card_root()
        return iter(sorted(root.iterdir())) if root.is_dir() else iter(())

    def queue_results(self, lead_ids: list[int]) -> dict:
        return VerificationRequest.objects.queue_results(lead_ids)

    def page_context(self, lead) -> dict:
        # Oldest first: one person may ask twice, and someone else may send one with this phone.
        return {"verifications": list(lead.verifications.select_related("lead_request").order_by("created_at"))}
