"""A crash test: SIGKILL a process that is saving answers; no reported-saved answer is lost."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from widgets.record.progress import ProgressFile

# The child answers cases one by one, saving each; only after a save returns does it report it.
CHILD = """
import sys
from widgets.record.progress import ProgressFile
from widgets.candidacy.exercise import quiz_attempts
from widgets.candidacy.quiz import Quiz

path, count = sys.argv[1], int(sys.argv[2])
store = ProgressFile(path).load()
quiz = Quiz.from_bank(seed=11, attempts=quiz_attempts(store.attempts))
for i in range(count):
    grade = quiz.submit(i % 2 == 0, i % 3 != 0, "indication_met")
    store.append(grade.attempt)
    print(f"saved {len(quiz_attempts(store.attempts))} {grade.attempt.item}", flush=True)
    quiz.next()
"""
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")


def run_and_kill(path: Path, kill_after: int, extra_delay: float) -> list[str]:
    """Start the child, read its 'saved N id' lines, SIGKILL it after ``kill_after`` of them."""
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path), "400"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    reported = []
    try:
        for line in proc.stdout:
            reported.append(line.split()[2])
            if len(reported) >= kill_after:
                if extra_delay:
                    time.sleep(extra_delay)  # lands somewhere inside a later write
                break
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, "the child was killed, not finished"
    return reported


def test_sigkill_between_and_during_saves_loses_no_saved_answer(tmp_path):
    rng = random.Random(20261125)
    path = tmp_path / "crash.progress.json"
    reported_total: list[str] = []
    for round_ in range(5):
        reported = run_and_kill(path, kill_after=rng.randint(1, 12), extra_delay=rng.choice([0, 0.001, 0.01]))
        reported_total += reported
        data = json.loads(path.read_text(encoding="utf-8"))  # the file parses after every kill
        saved_ids = [a["item"] for a in data["attempts"]]
        assert saved_ids[:len(reported_total)] == reported_total, f"round {round_}: a reported answer is missing"
        store = ProgressFile(path).load()
        assert store.warning is None, "the file was never left corrupt"
        # The child may have saved more than it managed to report before dying: keep those too.
        reported_total = saved_ids
    assert len(reported_total) >= 5
    assert not list(tmp_path.glob("*.corrupt-*"))
