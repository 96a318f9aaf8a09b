"""An insurance check's answers and its verification show on its lead's timeline, with who and when
(verification's lead part gives them to intake: verification.lead_part)."""

import datetime as dt
import html as htmllib
import json
import re

import pytest
from django.utils import timezone

from intake.models import Lead
from intake.tests.helpers import JORDAN
from verification.models import EligibilityCheck, Payer, VerificationRequest
from verification.tests.test_eligibility_sandbox import check as sandbox_answer


def timeline_text(page: str) -> list[str]:
    section = page.split('id="history-h"', 1)[1].split("</ol>", 1)[0]
    items = re.findall(r'<li class="[^"]*timeline-[^"]*">(.*?)</li>', section, re.S)
    return [htmllib.unescape(" ".join(re.sub(r"<[^>]+>", " ", item).split())) for item in items]


@pytest.mark.django_db
def test_it_shows_each_payer_answer_and_the_verification_with_who_and_when(client, staff):
    avery, blake = staff["avery"], staff["blake"]
    avery.first_name, avery.last_name = "Avery", "Lee"
    avery.save()
    blake.first_name, blake.last_name = "Blake", "Ortiz"
    blake.save()
    payer = Payer.objects.create(name="Acme Health", payer_id="ACME1")
    lead = Lead.objects.create(name="Maya", phone=JORDAN["phone"], kind="verification")
    verification = VerificationRequest.objects.create(
        lead=lead,
        payer=payer,
        first_name="Maya",
        last_name="Okonkwo",
        date_of_birth=dt.date(1991, 3, 14),
        member_id="LNT100001",
    )
    # Half an hour ago a check failed, then the sandbox answered, then Blake entered the payer's
    # answer after a call.
    for minutes_ago, check in [
        (30, {"gateway": "x12", "status": "failed", "last_error": "The payer did not answer in time."}),
        (20, {"gateway": "sandbox", "status": "done", "coverage_status": "active"}),
        (10, {"manual": True, "entered_by": blake, "status": "done", "coverage_status": "inactive"}),
    ]:
        finished_at = timezone.now() - dt.timedelta(minutes=minutes_ago)
        EligibilityCheck.objects.create(verification=verification, finished_at=finished_at, **check)
    verification.mark_verified(by=avery, outcome="partially_covered")

    client.force_login(avery)
    entries = timeline_text(client.get(f"/staff/leads/{lead.pk}/").content.decode())

    assert "Insurance marked verified: partially covered by Avery Lee" in entries[0]
    manual = "Insurance answer from Acme Health (entered after a call to the payer): coverage not active"
    assert f"{manual} by Blake Ortiz" in entries[1]
    assert "Insurance answer from Acme Health: coverage active (automatic check)" in entries[2]
    assert "Insurance check with Acme Health failed (automatic check) The payer did not answer in time." in entries[3]
    assert "LNT100001" not in " ".join(entries) and "Okonkwo" not in " ".join(entries)


@pytest.mark.django_db
def test_an_active_plan_whose_treatment_another_company_handles_says_so_on_the_timeline(client, staff):
    carved_out = sandbox_answer("LNT100002").summary
    company = next(care.carved_out_to for care in carved_out.levels.values() if care.carved_out_to)
    lead = Lead.objects.create(name="Maya", phone=JORDAN["phone"], kind="verification")
    verification = VerificationRequest.objects.create(
        lead=lead, first_name="Maya", last_name="Okonkwo", date_of_birth=dt.date(1991, 3, 14), member_id="LNT100002"
    )
    EligibilityCheck.objects.create(
        verification=verification,
        gateway="sandbox",
        status="done",
        coverage_status="active",
        finished_at=timezone.now(),
        summary_json=json.dumps(carved_out.to_dict()),
    )

    client.force_login(staff["avery"])
    entries = timeline_text(client.get(f"/staff/leads/{lead.pk}/").content.decode())

    answer = f"Insurance answer from the insurer: coverage active; treatment handled by {company}: call them"
    assert answer in entries[0]
