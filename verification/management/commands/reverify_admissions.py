"""Check the insurance of every upcoming admission again, now, a few at a time, showing progress.

The same re-check beat starts hourly (verification.reverification), for a batch: before a busy
week, after a payer's outage. The command starts the rounds, then sends their checks itself with
at most --concurrency in flight; each thread claims this batch's rows through the outbox, as a
worker would, so a Celery worker running meanwhile shares them instead of sending any twice.
It prints lead references only, never what the payer said about the person.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models
from django.utils import timezone

from verification.models import EligibilityCheck, VerificationRequest
from verification.reverification import refusal_words, start_before_admission
from verification.rounds import EligibilityRound

# How long to wait for checks of the batch that another worker claimed, once ours are done.
WAIT_FOR_OTHERS_SECONDS = 60


class Command(BaseCommand):
    help = (
        "Re-check the insurance of every admission scheduled in the next --days days (default "
        "REVERIFY_DAYS_BEFORE_ADMISSION), skipping those re-checked since they were scheduled "
        "unless --again, with at most --concurrency checks in flight. Exits 1 only if none could run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="admissions within this many days")
        parser.add_argument("--concurrency", type=int, default=None, help="checks in flight at once")
        parser.add_argument("--dry-run", action="store_true", help="list what would be re-checked; send nothing")
        parser.add_argument("--again", action="store_true", help="also admissions already re-checked")

    def handle(self, *args, days=None, concurrency=None, dry_run=False, again=False, **options):
        days = settings.REVERIFY_DAYS_BEFORE_ADMISSION if days is None else days
        concurrency = settings.REVERIFY_CONCURRENCY if concurrency is None else concurrency
        if concurrency < 1:
            raise CommandError("--concurrency must be at least 1.")
        if days < 1:
            self.stdout.write("Re-checks before admissions are off (REVERIFY_DAYS_BEFORE_ADMISSION is 0); use --days.")
            return
        now = timezone.now()
        due = list(_soonest_first(VerificationRequest.objects.due_for_reverification(now, days=days, again=again)))
        if not due:
            self.stdout.write(f"No admission in the next {days} days is due a re-check.")
            return
        if dry_run:
            for number, verification in enumerate(due, 1):
                self.stdout.write(f"[{number}/{len(due)}] {verification.lead.reference}: would be re-checked")
            self.stdout.write(f"Dry run: {len(due)} admissions would be re-checked; nothing was sent.")
            return
        batch = Batch(self.stdout, total=len(due))
        self.stdout.write(f"Re-checking {len(due)} upcoming admissions, {concurrency} checks at a time.")
        for verification in due:
            batch.start(verification, now, days=days, again=again)
        batch.run(concurrency)
        self.stdout.write(batch.summary())
        if not batch.rounds:
            raise CommandError("Nothing could be re-checked: every admission was skipped.")


def _soonest_first(due):
    """The admissions coming soonest first: if the run is cut short, they have been done."""
    from admissions.models import Admission

    soonest = Admission.objects.holding().filter(lead=models.OuterRef("lead")).order_by("admit_at").values("admit_at")
    return due.select_related("lead").annotate(admit_at=models.Subquery(soonest[:1])).order_by("admit_at", "pk")


class Batch:
    """The rounds of one run, their checks sent by a pool of threads, and the progress lines."""

    def __init__(self, out, *, total: int):
        self.out, self.total, self.done = out, total, 0
        self.rounds: dict[int, str] = {}  # round pk -> lead reference
        self.reported: set[int] = set()
        self.counts = {"changed": 0, "unchanged": 0, "no answer": 0, "waiting": 0, "skipped": 0}
        self.lock = threading.Lock()

    def start(self, verification: VerificationRequest, now, *, days: int, again: bool) -> None:
        reference = verification.lead.reference
        round = start_before_admission(verification.pk, now, days=days, again=again)
        if round is None:  # beat (or another run) started it a moment ago
            self.line(reference, "skipped: already being re-checked", "skipped")
        elif round.not_sent:
            self.line(reference, f"skipped: {refusal_words(round.not_sent)}", "skipped")
        else:
            self.rounds[round.pk] = reference

    def run(self, concurrency: int) -> None:
        checks = EligibilityCheck.objects.filter(round__in=list(self.rounds))
        with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="reverify") as pool:
            for future in [pool.submit(self._send, checks) for _ in range(min(concurrency, checks.count()))]:
                future.result()
        # Rows a Celery worker took meanwhile: wait for it a little, then say what is left.
        deadline = time.monotonic() + WAIT_FOR_OTHERS_SECONDS
        while checks.filter(status=EligibilityCheck.Status.SENDING).exists() and time.monotonic() < deadline:
            time.sleep(0.5)
            for round_pk in self.rounds:
                self.report(round_pk)
        for round_pk in self.rounds:
            self.report(round_pk, last=True)

    def _send(self, checks) -> None:
        """One thread: claim one check of the batch at a time and send it, until none is due."""
        try:
            while rows := checks.claim(1):
                with EligibilityCheck.batch() as context:
                    for row in rows:
                        row.deliver(context)
                        self.report(row.round_id)
        finally:
            connection.close()  # this thread's own; the pool's threads end with the run

    def report(self, round_pk: int, *, last: bool = False) -> None:
        """A round's line once it has been compared (or, at the end, that it is still waiting)."""
        with self.lock:
            if round_pk in self.reported:
                return
            round = EligibilityRound.objects.prefetch_related("checks").get(pk=round_pk)
            if round.compared_at is None:
                if last:
                    self.line(self.rounds[round_pk], "no answer yet: the payer is asked again later", "waiting")
                    self.reported.add(round_pk)
                return
            answered = any(check.status == EligibilityCheck.Status.SENT for check in round.checks.all())
            if round.headlines:
                self.line(self.rounds[round_pk], "; ".join(round.headlines), "changed")
            elif not answered:
                self.line(self.rounds[round_pk], "no answer from the payer (see the workspace)", "no answer")
            elif round.previous_answer_at is None:
                self.line(self.rounds[round_pk], "answered; no earlier answer to compare with", "unchanged")
            else:
                self.line(self.rounds[round_pk], "no change", "unchanged")
            self.reported.add(round_pk)

    def line(self, reference: str, words: str, outcome: str) -> None:
        self.done += 1
        self.counts[outcome] += 1
        self.out.write(f"[{self.done}/{self.total}] {reference}: {words}")

    def summary(self) -> str:
        counts = self.counts
        return (
            f"Done: {self.total} upcoming admissions, {len(self.rounds)} re-checked: {counts['changed']} changed, "
            f"{counts['unchanged']} unchanged, {counts['no answer']} without an answer, "
            f"{counts['waiting']} still waiting; {counts['skipped']} skipped."
        )
