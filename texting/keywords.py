"""What a text from a visitor asks of the system before any person reads it.

The carriers' standard words (CTIA's messaging principles): a text that is only an opt-out word
stops every text to the number; an opt-in word lifts that; a help word is answered with who we are
and how to call. Matched as the whole message, in any case, with spaces and punctuation around it
("Stop.", " STOP!! "), so that "please don't stop calling me" is a message for a person, not an
opt-out. A message that mentions danger or suicide is shown to a person at once, as urgent.
"""

import re
import unicodedata

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
START_WORDS = frozenset({"START", "UNSTOP", "YES"})
HELP_WORDS = frozenset({"HELP", "INFO"})
# Spanish, for people texted in Spanish (and anyone who answers in it); the reply is in Spanish.
# Stop: the words a Spanish speaker would send alone to mean "stop these" ("BAJA" as in "darse de
# baja"). Start: COMENZAR and REANUDAR only, unmistakable instructions; not "SÍ", which so often
# answers a worker's question that it must not quietly undo a stop (English "YES" is kept from the
# carriers' list, and only counts from a stopped number), nor "INICIO", a noun ("beginning", "home").
# Help: AYUDA. Accents are dropped before matching ("Ayúda" is AYUDA).
SPANISH_STOP_WORDS = frozenset({"ALTO", "PARAR", "DETENER", "CANCELAR", "BAJA"})
SPANISH_START_WORDS = frozenset({"COMENZAR", "REANUDAR"})
SPANISH_HELP_WORDS = frozenset({"AYUDA"})
SPANISH_WORDS = SPANISH_STOP_WORDS | SPANISH_START_WORDS | SPANISH_HELP_WORDS

STOP, START, HELP = "stop", "start", "help"

# Words that should bring a person to the phone now. Broad on purpose: a false alarm costs a worker
# a minute, a missed one may cost a life. Matched on word starts, so "suicidal" and "overdosed" match.
DANGER = re.compile(
    r"\b(suicid|kill (my|him|her|them)sel|kill me|end (it|my life)|want to die|wanna die|don'?t want to live|"
    r"hurt (my|him|her)sel|self[- ]harm|overdos|od'?d|not breathing|can'?t breathe|unconscious|won'?t wake|"
    r"seizure|emergency|911|danger|gun|weapon)",
    re.IGNORECASE,
)


def _bare(body: str) -> str:
    """The message without spaces, punctuation or accents, in capitals: "Stop!" -> "STOP"."""
    text = unicodedata.normalize("NFKD", body)
    return "".join(ch for ch in text if ch.isalnum()).upper()


def keyword_of(body: str) -> str:
    """STOP, START or HELP when the whole message is one of their words; "" otherwise."""
    bare = _bare(body)
    if bare in STOP_WORDS | SPANISH_STOP_WORDS:
        return STOP
    if bare in START_WORDS | SPANISH_START_WORDS:
        return START
    if bare in HELP_WORDS | SPANISH_HELP_WORDS:
        return HELP
    return ""


def word_of(body: str) -> str:
    """The keyword as the person sent it, in capitals ("ALTO"): one of ours, never their words."""
    bare = _bare(body)
    return bare if keyword_of(body) else ""


def reply_language(body: str, lead_language: str) -> str:
    """The language to confirm a keyword in: Spanish for a Spanish word, else the person's."""
    return "es" if _bare(body) in SPANISH_WORDS else lead_language


def mentions_danger(body: str) -> bool:
    return bool(DANGER.search(body))
