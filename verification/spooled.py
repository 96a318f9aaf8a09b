"""An insurance check, stored now or kept in intake's spool while PostgreSQL is unreachable and stored
when it returns (intake.spool finds this module by its name and calls the replay below).

Both ways go through `store`, with the same arguments: the form's cleaned data as JSON
(`request_payload`), with the card photos already written to the card store and named in it. A
kept entry therefore holds only the photos' names, never the images: the spool stays small however
many people send photos during an outage.
"""

import datetime as dt
import uuid

from intake.models import LeadKind
from intake.spool import replays

from . import cards
from .cards import CleanImage
from .models import Payer, VerificationRequest


def request_payload(
    data: dict, *, consent_version: str, consent_page: str, attribution: dict, language: str = "en"
) -> dict:
    """Write the card photos in `data` to the card store, and return the form's cleaned data and the
    rest of `VerificationRequest.submit`'s arguments as JSON, naming the photos."""
    data = dict(data)
    cards.store_sent_photos(data)
    kept = {}
    for key, value in data.items():
        if isinstance(value, Payer):
            kept[key] = {"payer": value.pk}
        elif isinstance(value, dt.date):
            kept[key] = {"date": value.isoformat()}
        elif not isinstance(value, CleanImage):  # stored above, and named in the data
            kept[key] = value
    return {
        "data": kept,
        "consent_version": consent_version,
        "consent_page": consent_page,
        "attribution": attribution,
        "language": language,
    }


def _from_spool(kept: dict) -> dict:
    data = {}
    for key, value in kept.items():
        if isinstance(value, dict) and "payer" in value:
            data[key] = Payer.objects.filter(pk=value["payer"]).first()
        elif isinstance(value, dict) and "date" in value:
            data[key] = dt.date.fromisoformat(value["date"])
        else:
            data[key] = value
    return data


@replays(LeadKind.VERIFICATION)
def store(payload: dict, received_at: dt.datetime, submission_id: uuid.UUID) -> VerificationRequest:
    return VerificationRequest.submit(
        _from_spool(payload["data"]),
        consent_version=payload["consent_version"],
        consent_page=payload["consent_page"],
        attribution=payload["attribution"],
        language=payload.get("language", "en"),  # kept before Spanish came
        received_at=received_at,
        submission_id=submission_id,
    )
