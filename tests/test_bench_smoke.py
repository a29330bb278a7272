"""The benchmark script runs end to end on two feeds (quick mode, no newsboat).

Not a timed test: it checks that benchmarks/run.py works and writes its report, never the
figures themselves, and never touches benchmarks/RESULTS.md.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "benchmarks" / "run.py"


def test_bench_quick_two_feeds(tmp_path: Path) -> None:
    results = ROOT / "benchmarks" / "RESULTS.md"
    before = results.stat().st_mtime_ns if results.exists() else None
    if importlib.util.find_spec("pyte") is None or importlib.util.find_spec("psutil") is None:
        # run.py would pip-install them; do it here, outside the timed part.
        done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "pyte",
                               "psutil"], timeout=300)
        if done.returncode:
            pytest.skip("pyte/psutil cannot be installed here")
    out = tmp_path / "results.md"
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    done = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--feeds", "2", "--no-newsboat",
         "--out", str(out), "--work", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=60, env=env, cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    text = out.read_text()
    table = text.split("## Results")[1].split("## Details")[0]
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ")[1]
            for line in table.splitlines() if line.startswith("| ") and " | " in line}
    for measure in ("refresh, cold", "refresh, warm", "most requests one host saw at once",
                    "first paint", "dashboard peak RSS", "key latency during refresh", "parse"):
        found = [value for name, value in rows.items() if name.startswith(measure)]
        assert found, f"{measure!r} missing from the report:\n{text}"
        assert found[0] != "n/a", f"no figure for {measure!r}:\n{text}"
    assert "head start (news/early.py) on / off" in text
    assert "refresh child" in text
    assert out.with_suffix(".json").exists()
    assert (results.stat().st_mtime_ns if results.exists() else None) == before
    shutil.rmtree(tmp_path / "work", ignore_errors=True)
