"""Consent texts shown on public forms, by version.

A text, once shown to visitors, is never edited: a change is a new version, so every stored
consent can be matched with the exact words the visitor agreed to.
"""

import datetime as dt

from .phones import display_phone

CONSENT_TEXTS = {
    "callback-2026-11-21": (
        "I agree that {centre} may contact me at the number above about treatment and "
        "admissions. Texts and voicemails are sent only if I allow them above. My details are "
        "kept confidential and are used for nothing else. Agreeing is not a condition of care."
    ),
    "verification-2026-11-21": (
        "I agree that {centre} may use the details above, and my card photos if I send them, to "
        "check my insurance benefits with my insurer and to contact me about the result and about "
        "treatment. My details are kept confidential. Agreeing is not a condition of care."
    ),
    # The full callback form, which has its own text and voicemail boxes; a call may also be
    # the moment the person tells us, so that is said too.
    "callback-2026-11-30": (
        "I agree that {centre} may call me at the number above about treatment and admissions. "
        "{centre} will text me or leave me a voicemail only if I tick those boxes above, or say so "
        "when we speak. My details are kept confidential and are used for nothing else. Agreeing is "
        "not a condition of care."
    ),
    # The short form beside each article: name and phone only, no text or voicemail boxes.
    "article-callback-2026-11-30": (
        "I agree that {centre} may call me at the number above about treatment and admissions. "
        "No texts, and no voicemail if I miss the call, unless I say they are OK when we speak. My "
        "details are kept confidential and are used for nothing else. Agreeing is not a condition "
        "of care."
    ),
    # The box under the Part 2 consent's terms (PART2_CONSENT_TERMS, same version).
    "verification-part2-2026-11-30": (
        "I have read this consent, I agree to it, and I ask {centre} to check these benefits with the insurer."
    ),
    # A visitor who asked us not to contact their insurer agrees only to be called.
    "verification-by-phone-2026-11-30": (
        "I asked {centre} not to contact my insurer. {centre} may call me at the number above to go "
        "through my coverage together, and about treatment. My details are kept confidential and "
        "are used for nothing else. Agreeing is not a condition of care."
    ),
    # No form: the person texted the centre's number first (texting.inbound). Replying is all it allows.
    "text-inbound-2026-11-30": (
        "The person texted {centre}'s number. {centre} may answer by text until they reply STOP, and call "
        "them back; nothing else was agreed."
    ),
}

# The verification form's consent to disclose under 42 CFR 2.31: one sentence per element, shown as
# a list above the box and stored, filled in, with each request that gave it (intake.Part2Consent).
PART2_CONSENT_TERMS = {
    "verification-part2-2026-11-30": (
        "Patient: {patient}.",
        "Who shares it: {centre}.",
        "What is shared: {what}",
        "Who receives it: {recipients}.",
        "Why: to learn whether the patient's plan is active and what it pays for detox and "
        "treatment, and for nothing else. {centre} may also call me at the number above about "
        "the answer and about treatment.",
        "Until when: this consent ends on {expires}, one year after it is signed, unless it is revoked sooner.",
        "Revoking it: I may revoke this consent at any time by telling {centre}, by phone at "
        "{phone} or in writing (an email counts). A revocation cannot undo a request already sent "
        "before {centre} received it.",
        "My choice: signing is voluntary. {centre} does not make treatment, payment, enrolment or "
        "eligibility for benefits depend on it; I may ask for a call instead of the check.",
        "After it is shared: my insurer is bound by HIPAA and may pass on what it receives as "
        "HIPAA allows, so it may no longer be protected by 42 CFR Part 2; it still may not be used "
        "against me in a civil, criminal, administrative or legislative proceeding without my "
        "consent or a court order.",
        "Signed: by ticking the box below, by {patient} or a person the law allows to sign for them, on {signed}.",
    ),
}
PART2_CONSENT_DAYS = 365
# What a verification request tells the payer, by category (never the values).
PART2_DISCLOSED = (
    "the patient's name and date of birth; the member ID and group number from the card; the "
    "policy holder's name and date of birth if the policy is someone else's; and that the patient "
    "is asking {centre} about treatment for alcohol or drug use, which the request itself shows "
    "because it asks about benefits for substance use treatment."
)

CURRENT_CALLBACK_CONSENT = "callback-2026-11-30"
CURRENT_ARTICLE_CALLBACK_CONSENT = "article-callback-2026-11-30"
CURRENT_VERIFICATION_CONSENT = "verification-part2-2026-11-30"
CURRENT_BY_PHONE_CONSENT = "verification-by-phone-2026-11-30"
CURRENT_TEXT_INBOUND_CONSENT = "text-inbound-2026-11-30"


def consent_text(version: str, centre: str) -> str:
    return CONSENT_TEXTS[version].format(centre=centre)


def part2_consent_terms(
    version: str, *, patient: str, recipients: str, signed: dt.date, centre: str, phone: str
) -> list[str]:
    """The consent's sentences, filled in. On the empty form the patient and the insurer are
    described ("the patient named above"); on the stored copy they are named."""
    expires = signed + dt.timedelta(days=PART2_CONSENT_DAYS)
    values = {
        "patient": patient,
        "recipients": recipients,
        "centre": centre,
        "phone": display_phone(phone),
        "what": PART2_DISCLOSED.format(centre=centre),
        "signed": f"{signed:%B} {signed.day}, {signed.year}",
        "expires": f"{expires:%B} {expires.day}, {expires.year}",
    }
    return [sentence.format(**values) for sentence in PART2_CONSENT_TERMS[version]]


def may_contact(lead, channel: str) -> bool:
    """The one gate for reaching a visitor: calls always (they asked for one), texts and
    voicemail only when their latest request allowed them (or they told staff so), and texts
    never after their number replied STOP. Staff actions and any message sent
    to a visitor go through here."""
    if channel == "call":
        return True
    if channel == "text":
        return bool(lead.ok_to_text) and lead.texts_stopped_at is None
    if channel == "voicemail":
        return bool(lead.ok_to_voicemail)
    return False
