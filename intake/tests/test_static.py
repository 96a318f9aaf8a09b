"""Production static files: hashed names (cacheable forever) and precompressed copies."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_it_collects_hashed_and_compressed_static_files(tmp_path):
    env = {**os.environ, "STATIC_MANIFEST": "1", "STATIC_ROOT": str(tmp_path), "DEBUG": "0"}
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr

    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/lantern.css"]
    assert hashed != "css/lantern.css" and hashed.startswith("css/lantern.")
    assert (tmp_path / f"{hashed}.gz").exists()
    bootstrap = tmp_path / manifest["vendor/bootstrap/bootstrap.min.css"]
    assert bootstrap.with_name(bootstrap.name + ".gz").stat().st_size < 40_000  # about 31 KB on the wire
