"""Consent texts shown on public forms, by version.

A text, once shown to visitors, is never edited: a change is a new version, so every stored
consent can be matched with the exact words the visitor agreed to.
"""

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import get_language, override

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
    # Spanish (issue 20): the same promises as the English of the same form, word for word in meaning.
    "callback-es-2026-12-01": (
        "Acepto que {centre} me llame al número de arriba para hablar sobre tratamiento y admisiones. "
        "{centre} me enviará mensajes de texto o me dejará un mensaje de voz solo si marco esas casillas "
        "de arriba, o si lo digo cuando hablemos. Mis datos se mantienen confidenciales y no se usan para "
        "nada más. Aceptar no es una condición para recibir atención."
    ),
    "article-callback-es-2026-12-01": (
        "Acepto que {centre} me llame al número de arriba para hablar sobre tratamiento y admisiones. "
        "No me enviarán mensajes de texto, ni me dejarán un mensaje de voz si no contesto, a menos que yo "
        "diga que está bien cuando hablemos. Mis datos se mantienen confidenciales y no se usan para nada "
        "más. Aceptar no es una condición para recibir atención."
    ),
    "verification-part2-es-2026-12-01": (
        "He leído este consentimiento, estoy de acuerdo y le pido a {centre} que consulte estos beneficios "
        "con la compañía de seguro médico."
    ),
    "verification-by-phone-es-2026-12-01": (
        "Pedí que {centre} no se comunique con mi compañía de seguro médico. {centre} puede llamarme al "
        "número de arriba para revisar juntos mi cobertura, y para hablar sobre tratamiento. Mis datos se "
        "mantienen confidenciales y no se usan para nada más. Aceptar no es una condición para recibir atención."
    ),
}

# The language each version is written in (every version not named here is English).
CONSENT_LANGUAGES = {
    "callback-es-2026-12-01": "es",
    "article-callback-es-2026-12-01": "es",
    "verification-part2-es-2026-12-01": "es",
    "verification-by-phone-es-2026-12-01": "es",
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
    "verification-part2-es-2026-12-01": (
        "Paciente: {patient}.",
        "Quién comparte la información: {centre}.",
        "Qué se comparte: {what}",
        "Quién recibe la información: {recipients}.",
        "Para qué: para saber si el plan del paciente está activo y qué paga por la desintoxicación y el "
        "tratamiento, y para nada más. {centre} también puede llamarme al número de arriba para hablar de "
        "la respuesta y del tratamiento.",
        "Hasta cuándo: este consentimiento termina el {expires}, un año después de firmarse, a menos que se "
        "revoque antes.",
        "Cómo revocarlo: puedo revocar este consentimiento en cualquier momento avisándole a {centre}, por "
        "teléfono al {phone} o por escrito (un correo electrónico cuenta). Revocarlo no puede deshacer una "
        "solicitud que ya se envió antes de que {centre} recibiera mi aviso.",
        "Mi decisión: firmar es voluntario. {centre} no hace depender de esta firma el tratamiento, el pago, "
        "la inscripción ni la elegibilidad para recibir beneficios; puedo pedir una llamada en lugar de la "
        "consulta.",
        "Después de compartir la información: mi compañía de seguro médico está sujeta a HIPAA y puede "
        "transmitir lo que recibe según lo permita HIPAA, por lo que es posible que esa información ya no "
        "esté protegida por 42 CFR Part 2; "
        "aun así, no puede usarse en mi contra en un procedimiento civil, penal, administrativo o "
        "legislativo sin mi consentimiento o una orden judicial.",
        "Firma: al marcar la casilla de abajo, por {patient} o por una persona a quien la ley permite firmar "
        "en su nombre, el {signed}.",
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
PART2_DISCLOSED_TEXTS = {
    "en": PART2_DISCLOSED,
    "es": (
        "el nombre y la fecha de nacimiento del paciente; el número de miembro (ID) y el número de grupo de "
        "la tarjeta; el nombre y la fecha de nacimiento del titular de la póliza si la póliza está a nombre "
        "de otra persona; y que el paciente le está preguntando a {centre} sobre tratamiento por consumo de "
        "alcohol o drogas, lo cual la propia solicitud muestra porque pregunta por beneficios para el "
        "tratamiento del consumo de sustancias."
    ),
}

CURRENT_CALLBACK_CONSENT = "callback-2026-11-30"
CURRENT_ARTICLE_CALLBACK_CONSENT = "article-callback-2026-11-30"
CURRENT_VERIFICATION_CONSENT = "verification-part2-2026-11-30"
CURRENT_BY_PHONE_CONSENT = "verification-by-phone-2026-11-30"
CURRENT_TEXT_INBOUND_CONSENT = "text-inbound-2026-11-30"

# The version each form shows now, per language: a form in a language without its own version
# shows the English one (and stores that, so the record matches what was read).
CURRENT_CONSENTS = {
    "callback": {"en": CURRENT_CALLBACK_CONSENT, "es": "callback-es-2026-12-01"},
    "article-callback": {"en": CURRENT_ARTICLE_CALLBACK_CONSENT, "es": "article-callback-es-2026-12-01"},
    "verification-part2": {"en": CURRENT_VERIFICATION_CONSENT, "es": "verification-part2-es-2026-12-01"},
    "verification-by-phone": {"en": CURRENT_BY_PHONE_CONSENT, "es": "verification-by-phone-es-2026-12-01"},
}


def current_consent(form: str, language: str | None = None) -> str:
    """The version `form` shows in `language` (by default the active one, i.e. the page's)."""
    versions = CURRENT_CONSENTS[form]
    code = (language or get_language() or "en").split("-")[0]
    return versions.get(code, versions["en"])


def consent_language(version: str) -> str:
    return CONSENT_LANGUAGES.get(version, "en")


def long_date(day: dt.date, language: str) -> str:
    """'December 1, 2026' / '1 de diciembre de 2026': in the consent's language, not the active one
    (a stored consent is filled in by whoever stores it, and a spool drain runs in English). English
    keeps its own spelling: the stored English terms predate the locale's "Dec. 1, 2026"."""
    if language == "en":
        return f"{day:%B} {day.day}, {day.year}"
    with override(language):
        return date_format(day, "DATE_FORMAT")


def join_names(names: list[str], language: str) -> str:
    """'Payer, and Clearinghouse' / 'Payer y Clearinghouse'; a person with two plans names both
    payers: 'Payer, Second payer, and Clearinghouse' / 'Payer, Second payer y Clearinghouse'."""
    if len(names) <= 2:
        return (" y " if language == "es" else ", and ").join(names)
    head = ", ".join(names[:-1])
    return f"{head} y {names[-1]}" if language == "es" else f"{head}, and {names[-1]}"


def consent_text(version: str, centre: str) -> str:
    return CONSENT_TEXTS[version].format(centre=centre)


def part2_consent_terms(
    version: str, *, patient: str, recipients: str | list[str], signed: dt.date, centre: str, phone: str
) -> list[str]:
    """The consent's sentences, filled in, in the version's language. On the empty form the patient
    and the insurer are described ("the patient named above"); on the stored copy they are named
    (`recipients` a list of names, joined in that language)."""
    language = consent_language(version)
    expires = signed + dt.timedelta(days=PART2_CONSENT_DAYS)
    values = {
        "patient": patient,
        "recipients": recipients if isinstance(recipients, str) else join_names(recipients, language),
        "centre": centre,
        "phone": display_phone(phone),
        "what": PART2_DISCLOSED_TEXTS[language].format(centre=centre),
        "signed": long_date(signed, language),
        "expires": long_date(expires, language),
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
