"""`python manage.py parse_271 FILE`: a benefit summary as JSON, or one line and exit 1."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"


def test_it_prints_the_benefit_summary_of_a_good_271_as_json():
    out = StringIO()

    call_command("parse_271", str(FIXTURES / "271_active_behavioural.x12"), stdout=out)

    data = json.loads(out.getvalue())
    person = data["subscribers"][0]
    assert data["status"] == "active"
    assert person["levels"]["residential"]["in_network"]["deductible_individual"]["remaining"] == "1800"
    assert person["levels"]["detox"]["prior_auth"] is True
    assert out.getvalue().startswith('{\n  "status": "active"')


def test_it_reads_a_clearinghouse_json_answer_too():
    out = StringIO()

    call_command("parse_271", str(FIXTURES / "stedi_rejected.json"), stdout=out)

    assert json.loads(out.getvalue())["rejections"][0]["code"] == "73"


def run(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "parse_271", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_exits_1_with_one_line_for_a_malformed_file():
    result = run(FIXTURES / "271_bad_se_count.x12")

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0
    assert "SE says 14 segments, but there are 15 from ST to SE." in result.stderr


def test_it_exits_1_with_one_line_for_a_file_that_is_not_there(tmp_path):
    result = run(tmp_path / "missing.x12")

    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "cannot be read" in result.stderr
