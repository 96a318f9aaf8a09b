"""An insurance check sent while PostgreSQL is unreachable, kept in intake's spool and stored when
the database returns (intake.spool finds this module by its name and calls the replay below).

What the visitor sent is kept whole, card photos included (already cleaned and re-encoded, as
JPEG bytes): the files `_submit` had written are gone with the failed transaction, and the
spool is the one durable place the request has until the database takes it.
"""

import base64
import datetime as dt
import uuid

from intake.models import LeadKind
from intake.spool import replays

from . import cards
from .cards import CleanImage
from .models import Payer, VerificationRequest


def to_spool(data: dict, *, consent_version: str, consent_page: str, attribution: dict) -> dict:
    """The form's cleaned data and the rest of `VerificationRequest.submit`'s arguments, as JSON."""
    kept = {}
    for key, value in data.items():
        if isinstance(value, Payer):
            kept[key] = {"payer": value.pk}
        elif isinstance(value, CleanImage):
            kept[key] = {"jpeg": base64.b64encode(value.data).decode(), "width": value.width, "height": value.height}
        elif isinstance(value, dt.date):
            kept[key] = {"date": value.isoformat()}
        else:
            kept[key] = value
    return {"data": kept, "consent_version": consent_version, "consent_page": consent_page, "attribution": attribution}


def _from_spool(kept: dict) -> dict:
    data = {}
    for key, value in kept.items():
        if isinstance(value, dict) and "payer" in value:
            data[key] = Payer.objects.filter(pk=value["payer"]).first()
        elif isinstance(value, dict) and "jpeg" in value:
            data[key] = CleanImage(base64.b64decode(value["jpeg"]), value["width"], value["height"])
        elif isinstance(value, dict) and "date" in value:
            data[key] = dt.date.fromisoformat(value["date"])
        else:
            data[key] = value
    return data


@replays(LeadKind.VERIFICATION)
def store(payload: dict, received_at: dt.datetime, submission_id: uuid.UUID) -> None:
    data = _from_spool(payload["data"])
    stored = []
    try:
        stored = cards.store_sent_photos(data)
        VerificationRequest.submit(
            data,
            consent_version=payload["consent_version"],
            consent_page=payload["consent_page"],
            attribution=payload["attribution"],
            received_at=received_at,
            submission_id=submission_id,
        )
    except Exception:
        # The rows rolled back: the files written for them go too (the spool still holds the photos).
        for name in stored:
            cards.delete(name)
        raise
