"""Lead parts: what other apps keep about a lead, cared for by intake without knowing them.

Intake owns the lead and the work around it (retention, key rotation, merges, the staff lead
page). Another app that hangs rows or files on a lead (verification: insurance checks and card
photos) subclasses `LeadPart` and registers one instance from its AppConfig.ready(). Intake
then asks every registered part, and never imports or names the app.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Anonymised:
    """What retention did to one lead's part: the part's own records and the files it deleted
    (counted in `purge_expired`'s line), and counts for the lead's audit entry (no PHI)."""

    records: int = 0
    files: int = 0
    details: dict[str, int] = field(default_factory=dict)


@dataclass
class TimelineEntry:
    """One line of a lead's timeline (intake.models.timeline): what happened (`what`, words for
    staff), when, who did it (None: the visitor or Lantern itself), free text to show under it
    (PHI: rendered only on the audited lead page), and the record, for templates that need more."""

    kind: str
    at: dt.datetime
    what: str
    actor: object = None
    text: str = ""
    item: object = None


@dataclass(frozen=True)
class Fact:
    """A few words and how they should look: each fact on a queue row, and what a part says of a
    lead there ("Covered", "Checking"). `tone` (good, warning, danger, plain) styles it; the words
    alone must say it."""

    words: str
    tone: str = "plain"


class LeadPart:
    """One app's share of a lead. Override what the app has; the defaults do nothing."""

    # Retention's key for the part's counts, e.g. "verification".
    name: str = ""
    # The lead's reverse relations to the part's rows: a merge moves them with the person, and
    # an undo moves them back.
    relations: tuple[str, ...] = ()
    # How `purge_expired` and `rotate_encryption_keys` name what they count.
    records_noun: str = "records"
    files_noun: str = "files"
    # Shown on the staff lead page under its title, and in its Part 2 card; each rendered with
    # `part` set to page_context(lead).
    page_template: str = ""
    part2_template: str = ""

    def count_expired(self, leads) -> tuple[int, int]:
        """(records, files) retention would anonymise and delete for these leads; reads no PHI."""
        return 0, 0

    def anonymise(self, lead) -> Anonymised:
        """Blank the part's PHI for `lead` (intake.retention.blank) and delete its files, inside
        retention's transaction for the lead."""
        return Anonymised()

    def encrypted_files(self) -> Iterable[Path]:
        """Every file the part keeps encrypted with FIELD_ENCRYPTION_KEYS, for key rotation."""
        return ()

    def page_context(self, lead) -> dict:
        return {}

    def queue_results(self, lead_ids: list[int]) -> dict[int, Fact]:
        """For one page of the staff queue: the part's result per lead that has one, read in one
        query for the whole page (the queue refreshes every 10 seconds)."""
        return {}

    def queue_marks(self, lead_ids: list[int]) -> dict[int, Fact]:
        """For one page of the staff queue: a mark beside a lead's name ("2 unread texts"), per lead
        that has one, read in one query for the whole page."""
        return {}

    def health(self) -> dict[str, str]:
        """Checks for /healthz, by name: "ok" or "error: ..." (no PHI, no paths)."""
        return {}

    def timeline(self, lead) -> list[TimelineEntry]:
        """What the part recorded about `lead`, for its timeline (kind "part")."""
        return []

    def merge_refusal(self, source, target) -> str:
        """Why `source` may not be merged into `target` while the part holds something for either
        (a bed held for one of them), in words for staff, or "" when it may. Asked under both
        leads' locks before anything moves; a refusal changes nothing."""
        return ""

    def alert_link(self, notification) -> str:
        """The page a staff alert about this part's work should open (a path), or "" for the
        lead page: a clinician's alert opens the clinical review, which they may see."""
        return ""

    def alert_no_longer_needed(self, notification) -> str:
        """Why a staff alert about this part's work can no longer help (the hold it warns of was
        released, the referral closed), or "" while it can: the alert is then closed unsent."""
        return ""


_parts: dict[str, LeadPart] = {}


def register(part: LeadPart) -> None:
    """Called from an AppConfig.ready(); registering a part of the same name again replaces it."""
    _parts[part.name] = part


def lead_parts() -> list[LeadPart]:
    return list(_parts.values())


def parts_health() -> dict[str, str]:
    return {name: value for part in _parts.values() for name, value in part.health().items()}


def part_relations() -> tuple[str, ...]:
    return tuple(name for part in _parts.values() for name in part.relations)


def part_timeline(lead) -> list[TimelineEntry]:
    return [entry for part in _parts.values() for entry in part.timeline(lead)]


def merge_refusal(source, target) -> str:
    """The first part's reason to refuse this merge, or ""."""
    for part in _parts.values():
        if reason := part.merge_refusal(source, target):
            return reason
    return ""


def alert_link(notification) -> str:
    for part in _parts.values():
        if link := part.alert_link(notification):
            return link
    return ""


def alert_no_longer_needed(notification) -> str:
    for part in _parts.values():
        if reason := part.alert_no_longer_needed(notification):
            return reason
    return ""


def queue_results(lead_ids: list[int]) -> dict[int, Fact]:
    """Each lead's queue result, from the first part that has one."""
    results: dict[int, Fact] = {}
    for part in _parts.values():
        for lead_id, result in part.queue_results(lead_ids).items():
            results.setdefault(lead_id, result)
    return results


def queue_marks(lead_ids: list[int]) -> dict[int, list[Fact]]:
    """Every part's marks for each lead on a page of the queue."""
    marks: dict[int, list[Fact]] = {}
    for part in _parts.values():
        for lead_id, mark in part.queue_marks(lead_ids).items():
            marks.setdefault(lead_id, []).append(mark)
    return marks


def page_panels(lead) -> list[dict]:
    """For the staff lead page: each part's templates and its context for this lead."""
    return [
        {"page_template": part.page_template, "part2_template": part.part2_template, "part": part.page_context(lead)}
        for part in _parts.values()
    ]
