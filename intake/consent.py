"""Consent texts shown on public forms, by version.

A text, once shown to visitors, is never edited: a change is a new version, so every stored
consent can be matched with the exact words the visitor agreed to.
"""

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
}
CURRENT_CALLBACK_CONSENT = "callback-2026-11-30"
CURRENT_ARTICLE_CALLBACK_CONSENT = "article-callback-2026-11-30"
CURRENT_VERIFICATION_CONSENT = "verification-2026-11-21"


def consent_text(version: str, centre: str) -> str:
    return CONSENT_TEXTS[version].format(centre=centre)


def may_contact(lead, channel: str) -> bool:
    """The one gate for reaching a visitor: calls always (they asked for one), texts and
    voicemail only when their latest request allowed them. Staff actions and any message sent
    to a visitor go through here."""
    if channel == "call":
        return True
    if channel == "text":
        return bool(lead.ok_to_text)
    if channel == "voicemail":
        return bool(lead.ok_to_voicemail)
    return False
