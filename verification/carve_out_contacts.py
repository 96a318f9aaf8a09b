"""The companies a payer names for (part of) the benefits, as the workspace shows them: with the
company's own phone from the payer's answer, never the centre's."""

from dataclasses import dataclass

from django.conf import settings

from intake.phones import normalise_phone

from .eligibility.codes import join_words
from .eligibility.summary import CarveOut


@dataclass
class CarveOutContact:
    name: str
    services: str
    # E.164, or "" when the payer gave no phone (or gave the centre's own).
    phone: str
    gave_centre_phone: bool
    other_contacts: list[str]
    messages: list[str]
    for_authorization: bool


def carve_out_contact(carve_out: CarveOut) -> CarveOutContact:
    phone = normalise_phone(carve_out.phone) if carve_out.phone else None
    # A payer (or a test file) that gives the centre's own number for the company would have the
    # worker call themselves: that number is not shown as the company's.
    gave_centre_phone = phone is not None and phone == normalise_phone(settings.CENTRE_PHONE)
    return CarveOutContact(
        name=carve_out.name,
        services=join_words(carve_out.service_type_descriptions),
        phone="" if gave_centre_phone or phone is None else phone,
        gave_centre_phone=gave_centre_phone,
        other_contacts=[contact for contact in carve_out.contacts if not contact.startswith("phone")],
        messages=list(carve_out.messages),
        for_authorization=carve_out.for_authorization,
    )
