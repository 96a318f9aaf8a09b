"""A payer's rejection (an AAA segment, or a JSON error) in words staff can act on.

A rejection is not an error of ours: it says what to ask the visitor, or whom at the centre to
tell, to put it right. Both answer readers (`x271`, `jsonapi`) build theirs with `make_rejection`.
"""

from .codes import FOLLOW_UPS, REJECT_REASONS, describe
from .summary import Rejection

# Each reject reason in plain words for staff, and what to ask the visitor (or whom to tell) to fix it.
REJECTION_WORDS: dict[str, tuple[str, str]] = {
    "15": (
        "The payer says the request was missing information it needs.",
        "Check that the member ID, name and date of birth were all given, then run the check again.",
    ),
    "41": (
        "The payer does not let our account ask about this member.",
        "Nothing to ask the visitor: tell the admissions lead our payer access needs fixing, and call the payer.",
    ),
    "42": (
        "The payer's system could not answer right now.",
        "Nothing to ask the visitor: the check is tried again automatically; call the payer if it keeps failing.",
    ),
    "43": (
        "The payer did not accept our provider details (NPI).",
        "Nothing to ask the visitor: tell the admissions lead our NPI was refused by this payer.",
    ),
    "50": (
        "The payer does not let our provider ask about eligibility.",
        "Nothing to ask the visitor: tell the admissions lead; the payer may need us enrolled first.",
    ),
    "51": (
        "The payer does not have our provider on file.",
        "Nothing to ask the visitor: tell the admissions lead; we may need to enrol with this payer.",
    ),
    "57": (
        "The payer refused the date of service we asked about.",
        "Nothing to ask the visitor: run the check again for today's date.",
    ),
    "58": (
        "The payer says the date of birth is missing or not valid.",
        "Ask them to confirm the patient's date of birth (month, day and year).",
    ),
    "62": (
        "The payer does not answer for the date of service we asked about.",
        "Nothing to ask the visitor: run the check again for a date closer to today.",
    ),
    "63": (
        "The payer does not answer for a date of service in the future.",
        "Nothing to ask the visitor: run the check again for today's date.",
    ),
    "67": (
        "The payer could not find the patient under this subscriber.",
        "Check the patient's name and date of birth with them, exactly as the payer would have them.",
    ),
    "69": (
        "The payer says the care asked about does not fit the patient's age on its records.",
        "Check the patient's date of birth with them; if it is right, call the payer.",
    ),
    "70": (
        "The payer says the care asked about does not fit the patient's gender on its records.",
        "Nothing to ask the visitor unless they correct their details: call the payer to ask about the benefit.",
    ),
    "74": (
        "The payer says the subscriber's gender is missing or does not match its records.",
        "Ask for the card holder's gender as the insurer has it, then run the check again.",
    ),
    "77": (
        "The payer found the card holder but not the patient on their plan.",
        "Ask for the patient's name and date of birth exactly as the insurer has them, and whether they are on "
        "this plan.",
    ),
    "80": (
        "The payer's system did not answer in time.",
        "Nothing to ask the visitor: run the check again later, or call the payer.",
    ),
    "71": (
        "The date of birth does not match the payer's records for this member.",
        "Ask them to confirm the patient's date of birth; if the card is in someone else's name, "
        "ask for that person's date of birth too.",
    ),
    "72": (
        "The payer does not recognise the member ID.",
        "Ask them to read the member ID from the card again, character by character, including any "
        "letters at the start.",
    ),
    "73": (
        "The name does not match the payer's records for this member ID.",
        "Ask for the name exactly as it is printed on the insurance card (middle initial, suffix, a previous surname).",
    ),
    "75": (
        "The payer could not find this person.",
        "Check the date of birth and the member ID with them; if the card is in a parent's or "
        "spouse's name, they are a dependent: ask for the subscriber's name and date of birth.",
    ),
    "76": (
        "The payer has more than one member with this ID.",
        "Ask for the subscriber's name and date of birth, and whether the patient is the subscriber or a dependent.",
    ),
    "78": (
        "The payer says this person is not in the group or plan given.",
        "Ask them to read the group number from the card again, or leave it out if unsure.",
    ),
    "79": (
        "The payer says the member's identification is not valid.",
        "Ask them to read the member ID and name from the card again.",
    ),
}


def make_rejection(
    loop: str, code: str, follow_up: str = "", *, valid_request: str = "", follow_up_text: str = ""
) -> Rejection:
    """A rejection as staff read it: the guide's words for its codes, and what to do about it."""
    text, hint = rejection_words(code)
    return Rejection(
        loop=loop,
        code=code,
        follow_up=follow_up,
        description=describe(REJECT_REASONS, code),
        follow_up_description=describe(FOLLOW_UPS, follow_up) if follow_up else follow_up_text,
        text=text,
        hint=hint,
        valid_request=valid_request,
    )


def rejection_words(code: str) -> tuple[str, str]:
    """(plain words, what to ask the visitor) for a reject reason, also for codes we do not know."""
    if code in REJECTION_WORDS:
        return REJECTION_WORDS[code]
    description = describe(REJECT_REASONS, code) if code else "no reason given"
    return (
        f"The payer rejected the request ({description}).",
        "Call the payer to ask what they need, then run the check again.",
    )
