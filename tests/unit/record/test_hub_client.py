"""The student's side of the hub's hand-in service (widgets/record/hub_client.py): without the service nothing
changes; with it, a service that does not answer or has no token for the student never loses the hand-in (the
file next to the notebook and the download still work) and says why.  (tests/hub runs it against the real
service behind a real JupyterHub.)"""

from __future__ import annotations

from tests.classfolder import answer_cases, student_log
from tools.local_hub import free_port
from widgets.core.settings import use_settings


def test_without_a_hub_the_hand_in_is_the_file_and_nothing_is_sent(tmp_path, vkp_settings):
    assert not vkp_settings.handin_url
    log = student_log(tmp_path / "sam", "Sam Lee")
    answer_cases(log, [True])
    result = log.hand_in()
    assert result.file.exists() and result.receipt is None and result.problems == []


def test_a_service_that_does_not_answer_is_a_problem_named_and_nothing_is_lost(tmp_path, vkp_settings):
    hub = vkp_settings.replace(handin_url=f"http://127.0.0.1:{free_port()}/services/vkp-handin/", hub_token="a-token")
    with use_settings(hub):
        log = student_log(tmp_path / "sam", "Sam Lee")
    answer_cases(log, [True, False])
    result = log.hand_in()
    assert result.file.exists() and result.receipt is None
    (problem,) = result.problems
    assert "the hand-in service at http://127.0.0.1:" in problem and "did not answer" in problem
    assert result.content.count("\n") == 3, "the download still holds the header and both answers"


def test_no_token_says_to_open_the_course_from_the_hub(tmp_path, vkp_settings):
    with use_settings(vkp_settings.replace(handin_url="http://127.0.0.1:9/services/vkp-handin/", hub_token="")):
        log = student_log(tmp_path / "sam", "Sam Lee")
    answer_cases(log, [True])
    (problem,) = log.hand_in().problems
    assert "no hub token" in problem and "open the course from the hub" in problem
