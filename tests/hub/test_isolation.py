"""Issue 21, tried as an attacker would, with real system accounts: student A (vkpt-alice) works from her own
kernel, as the account the hub gave her, with every credential she has (her password, her hub cookie, her API
token, her server's token).  She cannot open B's home or the hub's secrets, cannot reach the instructor's server
or B's, cannot stop B's server, and what she hands in arrives as hers whatever the file says; a forged or
replayed hand-in is refused, and B's hand-in cannot be blocked by anything A does."""

from __future__ import annotations

import json
import os
import stat
import textwrap
from pathlib import Path

import psutil
import pytest
import requests

from tests.conftest import ROOT
from tests.hub.conftest import Person
from tools.local_hub import login, server_processes

A, B, T = "vkpt-alice", "vkpt-bob", "vkpt-teach"


@pytest.fixture(scope="module")
def people(hub):
    folks = {user: Person(hub, user) for user in (A, B, T)}
    folks[A].pull_course(hub.course_repo)
    folks[B].pull_course(hub.course_repo)
    folks[T].pull_course(hub.instructor_repo)
    yield folks
    for person in folks.values():
        person.close()


def probe(person: Person, targets: dict[str, str]) -> dict[str, str]:
    """From the person's kernel: try to read each path (a folder is listed); 'denied', 'read' or the error."""
    code = textwrap.dedent(f"""
        import json, os
        out = {{}}
        for name, path in {json.dumps(targets)}.items():
            try:
                if os.path.isdir(path):
                    os.listdir(path)
                else:
                    open(path, "rb").read(64)
                out[name] = "read"
            except PermissionError:
                out[name] = "denied"
            except OSError as exc:
                out[name] = type(exc).__name__
        print(json.dumps(out))
    """)
    return json.loads(person.run(code).strip().splitlines()[-1])


def hub_family(hub) -> dict[str, psutil.Process]:
    found = {}
    for p in psutil.Process(hub.proc.pid).children(recursive=True):
        line = " ".join(p.cmdline())
        for key, needle in (("proxy", "configurable-http-proxy"), ("service", "widgets.hubservice"),
                            ("culler", "jupyterhub_idle_culler")):
            if needle in line:
                found[key] = p
    return found


def test_each_server_runs_as_its_own_account_with_a_private_home(hub, people):
    servers = server_processes(hub)
    for user in (A, B, T):
        account = __import__("pwd").getpwnam(user)
        assert servers[user].uids().real == account.pw_uid != 0, f"{user}'s server is not running as {user}"
        home = Path(account.pw_dir)
        assert home == hub.home(user) and stat.S_IMODE(home.stat().st_mode) == 0o700
        assert home.stat().st_uid == account.pw_uid
        kernel_env = servers[user].environ()
        assert kernel_env["HOME"] == str(home)
    assert not {p.uids().real for p in servers.values()} & {0, os.getuid()}
    db = hub.layout.private / "jupyterhub.sqlite"
    assert db.exists() and not db.stat().st_mode & 0o077, "the hub's database is readable by others"
    assert not hub.layout.private.stat().st_mode & 0o077
    assert not hub.homes.stat().st_mode & 0o044, "anyone could list the students' homes"


def test_a_cannot_open_bs_home_or_any_hub_secret(hub, people):
    (hub.home(B) / "my-notes.md").write_text("B's own notes\n")
    family = hub_family(hub)
    bob_server = server_processes(hub)[B]
    targets = {
        "B's home": str(hub.home(B)), "B's notes": str(hub.home(B) / "my-notes.md"),
        "the hub's private folder": str(hub.layout.private),
        "the hub database": str(hub.layout.private / "jupyterhub.sqlite"),
        "the cookie secret": str(hub.layout.private / "jupyterhub_cookie_secret"),
        "students' passwords": str(hub.layout.private / "students-passwords.csv"),
        "instructors' passwords": str(hub.layout.private / "instructors-passwords.csv"),
        "the hub's log": str(hub.layout.private / "jupyterhub.log"),
        "the hand-in folder": str(hub.handin), "the hand-in index": str(hub.layout.handin_state / "index.sqlite"),
        "the instructors' course": str(hub.layout.instructors_repo),
        "the instructors' answer keys in their home": str(hub.home(T) / "vkp-teaching" / "lessons"),
        "the instructors' checkout": str(ROOT / "lessons" / "answer-keys"),
        "the hub's environment": f"/proc/{hub.proc.pid}/environ",
        "the proxy's token": f"/proc/{family['proxy'].pid}/environ",
        "the hand-in service's token": f"/proc/{family['service'].pid}/environ",
        "the culler's token": f"/proc/{family['culler'].pid}/environ",
        "B's server's token": f"/proc/{bob_server.pid}/environ",
    }
    seen = probe(people[A], targets)
    assert seen == {name: "denied" for name in targets}, seen
    # Writing into B's home fails too.
    out = people[A].run(f"""
try:
    open({str(hub.home(B) / 'planted.txt')!r}, 'w').write('x'); print('wrote')
except PermissionError:
    print('denied')
""")
    assert out.strip() == "denied" and not (hub.home(B) / "planted.txt").exists()


def test_no_secret_is_in_the_environment_of_as_processes(hub, people):
    family = hub_family(hub)
    secrets = {
        "cookie secret": (hub.layout.private / "jupyterhub_cookie_secret").read_bytes().decode().strip(),
        "proxy token": family["proxy"].environ()["CONFIGPROXY_AUTH_TOKEN"],
        "service token": family["service"].environ()["JUPYTERHUB_API_TOKEN"],
        "culler token": family["culler"].environ()["JUPYTERHUB_API_TOKEN"],
        "B's server token": server_processes(hub)[B].environ()["JUPYTERHUB_API_TOKEN"],
        "T's server token": server_processes(hub)[T].environ()["JUPYTERHUB_API_TOKEN"],
        **{f"{user}'s password": pw for user, pw in hub.passwords.items() if user != A},
    }
    assert all(len(v) >= 8 for v in secrets.values())
    kernel_env = people[A].run("import os, json; print(json.dumps(dict(os.environ)))")
    server_env = "\n".join(f"{k}={v}" for k, v in server_processes(hub)[A].environ().items())
    for name, value in secrets.items():
        assert value not in kernel_env and value not in server_env, f"A's processes can see the {name}"


def test_a_cannot_reach_the_instructors_server_with_any_credential_of_hers(hub, people):
    alice = people[A]
    for password in (hub.passwords[A], hub.passwords[B]):               # her password, a classmate's
        with requests.Session() as s, pytest.raises(Exception, match="refused"):
            login(s, hub, T, password)
    # Her hub cookie, through the proxy: the instructor's server asks the hub, which says no.
    status = alice.session.get(hub.url + f"user/{T}/api/contents", timeout=30)
    assert status.status_code == 403 and '"content"' not in status.text
    server_token = server_processes(hub)[A].environ()["JUPYTERHUB_API_TOKEN"]
    for token in (alice.token, server_token):                            # her API token, her server's token
        assert alice.api("GET", f"user/{T}/api/status", token=token).status_code == 403
        assert alice.api("GET", f"user/{T}/api/contents", token=token).status_code == 403
        assert alice.api("GET", f"hub/api/users/{T}", token=token).status_code in {403, 404}
    # Straight to the instructor's server's own port, around the proxy.
    port = _listening_port(server_processes(hub)[T])
    for token in (alice.token, server_token):
        r = requests.get(f"http://127.0.0.1:{port}/user/{T}/api/contents", timeout=30,
                         headers={"Authorization": f"token {token}"})
        assert r.status_code == 403, f"A reached the instructor's server on its port: {r.status_code}"


def _listening_port(proc: psutil.Process) -> int:
    return next(c.laddr.port for c in proc.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN)


def test_a_cannot_stop_or_reach_bs_server(hub, people):
    alice, bob_server = people[A], server_processes(hub)[B]
    server_token = server_processes(hub)[A].environ()["JUPYTERHUB_API_TOKEN"]
    for token in (alice.token, server_token):
        assert alice.api("DELETE", f"hub/api/users/{B}/server", token=token).status_code in {403, 404}
        assert alice.api("GET", f"user/{B}/api/kernels", token=token).status_code == 403
    out = alice.run(f"""
import os, signal
try:
    os.kill({bob_server.pid}, signal.SIGTERM); print('killed')
except PermissionError:
    print('denied')
""")
    assert out.strip() == "denied"
    port = _listening_port(bob_server)
    r = requests.get(f"http://127.0.0.1:{port}/user/{B}/api/contents", headers={"Authorization": f"token {server_token}"},
                     timeout=30)
    assert r.status_code == 403
    assert bob_server.is_running() and people[B].model()["servers"][""]["ready"]


HAND_IN = """
import json, tempfile
from pathlib import Path
from widgets.record.handin import ExerciseLog
from widgets.record.progress import ProgressFile
home = Path(tempfile.mkdtemp())
log = ExerciseLog(ProgressFile(home / 'p.json').load(), export_dir=home, hub_user={claim!r})
log.set_identity({name!r})
from widgets.recovery.model import quiz_questions
questions = quiz_questions()
for i in range({n}):
    q = questions[i % len(questions)]
    log.record_attempt('aftercare-quiz', q.id, {{'option': q.options[0].id}}, {{'course': {{'correct': True}}}})
result = log.hand_in()
print(json.dumps({{'receipt': result.receipt, 'problems': result.problems, 'text': result.content}}))
"""


def hand_in(person: Person, *, claim: str = "", name: str = "Student", n: int = 2) -> dict:
    return json.loads(person.run(HAND_IN.format(claim=claim or person.user, name=name, n=n)).strip().splitlines()[-1])


def test_as_hand_in_arrives_as_a_whatever_the_file_says(hub, people):
    done = hand_in(people[A], claim=B, name="Bob Impostor")
    assert done["problems"] == [] and done["receipt"]["hub_user"] == A and done["receipt"]["new"] == 2
    kept = hub.handin / done["receipt"]["file"]
    assert kept.parent.name == A and kept.stat().st_uid != __import__("pwd").getpwnam(A).pw_uid
    header = json.loads(kept.read_text().splitlines()[0])
    assert header["student"]["hub_user"] == A and header["received"]["claimed_hub_user"] == B
    # The instructor, from her own server (her copy of the course), reads the class through the service's folder.
    out = people[T].run("""
import json
from widgets.classroom import results as cr
r = cr.read_class_folder(cr.class_folder('sample-exports'), secret=b's')
print(json.dumps({k: [i.hub_user for i in s.identities] for k, s in r.students.items()}))
""")
    students = json.loads(out.strip().splitlines()[-1])
    assert students.get(f"hub:{A}") == [A] and f"hub:{B}" not in students
    # ... and through the service's API, which lists it as A's.
    listing = people[T].api("GET", "services/vkp-handin/api/handins").json()
    assert [(f["hub_user"], f["claimed_hub_user"]) for f in listing["handins"]] == [(A, B)]
    # Where instructors have no folder to read (Kubernetes: VKP_CLASS_URL only), the class-results notebook
    # copies what the service kept and reads the same.
    out = people[T].run("""
import json, os
os.environ.pop('VKP_CLASS_DIR')
from widgets.classroom import results as cr
folder = cr.class_folder('sample-exports')
r = cr.read_class_folder(folder, secret=b's')
print(json.dumps([str(folder), sorted(r.students), oct(os.stat(folder).st_mode & 0o777)]))
""")
    folder, keys, mode = json.loads(out.strip().splitlines()[-1])
    assert folder.startswith(str(hub.home(T))) and keys == [f"hub:{A}"] and mode == "0o700"
    # In an instructor's browser (her hub login, through the hub's OAuth): the list as a page.
    page = people[T].session.get(hub.url + "services/vkp-handin/", timeout=60)
    assert page.status_code == 200 and A in page.text and "Hand-ins" in page.text
    mine = people[B].session.get(hub.url + "services/vkp-handin/", timeout=60)
    assert mine.status_code == 200 and A not in mine.text, "a student's page shows another's hand-in"


def test_a_forged_or_replayed_hand_in_is_refused(hub, people):
    bob = hand_in(people[B], name="Bob", n=3)
    assert bob["receipt"]["new"] == 3
    # A replays B's hand-in as it was, then with B's answer ids and her own "better" content.
    replay = people[A].run(f"""
from widgets.record import hub_client
try:
    hub_client.post_hand_in({bob['text']!r}); print('kept')
except hub_client.HandInRefused as exc:
    print(exc.status, exc)
""")
    assert replay.startswith("409") and "another student" in replay
    lines = bob["text"].splitlines()
    forged = "\n".join([lines[0]] + [json.dumps({**json.loads(x), "item": "q0"}) for x in lines[1:]]) + "\n"
    again = people[A].run(f"""
from widgets.record import hub_client
try:
    hub_client.post_hand_in({forged!r}); print('kept')
except hub_client.HandInRefused as exc:
    print(exc.status, exc)
""")
    assert again.startswith("409")
    listing = people[T].api("GET", "services/vkp-handin/api/handins").json()
    assert [r["hub_user"] for r in listing["refusals"]].count(A) >= 2, "the instructors see the refusals"
    assert {f["hub_user"] for f in listing["handins"]} == {A, B}
    # A sees only her own hand-ins through the service, and cannot fetch B's.
    mine = people[A].api("GET", "services/vkp-handin/api/handins").json()
    assert {f["hub_user"] for f in mine["handins"]} == {A}
    bobs = next(f["file"] for f in listing["handins"] if f["hub_user"] == B)
    assert people[A].api("GET", f"services/vkp-handin/api/handins/{bobs}").status_code == 404
    assert people[T].api("GET", f"services/vkp-handin/api/handins/{bobs}").status_code == 200


def test_bs_hand_in_cannot_be_blocked_by_a(hub, people):
    planted = people[A].run(f"""
import os
for path in ({str(hub.handin / B / 'next.jsonl')!r}, {str(hub.handin / 'x.jsonl')!r}):
    try:
        os.mkfifo(path); print('planted')
    except PermissionError:
        print('denied')
""")
    assert planted.split() == ["denied", "denied"]
    # A sends as much as she can: too large at once is refused, and past her quota she is refused; B is not.
    flood = people[A].run("""
from widgets.record.attempts import Identity, export_text, make_attempt
from widgets.record import hub_client
def batch():
    return export_text(Identity(name='A'), '2026-11-20', [
        make_attempt('aftercare-quiz', f'q{i % 9}', {'option': 'a'}, {'course': {'correct': True}})
        for i in range(5000)])
for text in [batch() + batch()] + [batch() for _ in range(3)]:
    try:
        print(hub_client.post_hand_in(text)['new'])
    except hub_client.HandInRefused as exc:
        print(exc.status)
""", timeout=300)
    assert flood.split() == ["413", "5000", "429", "429"] or flood.split() == ["413", "5000", "5000", "429"], flood
    bob = hand_in(people[B], name="Bob", n=1)
    assert bob["problems"] == [] and bob["receipt"]["new"] == 1


def test_students_get_the_student_release_and_instructors_their_own_copy(hub, people):
    student = hub.home(A) / "vkp-teaching"
    teacher = hub.home(T) / "vkp-teaching"
    assert (student / "notebooks" / "00-start-here.ipynb").exists() and not (student / "lessons").exists()
    assert (teacher / "lessons" / "class-results.ipynb").exists() and (teacher / "lessons" / "answer-keys").is_dir()
    out = people[A].run("""
import importlib.util, widgets
print(importlib.util.find_spec('widgets.classroom') is None, widgets.__file__)
""")
    missing, where = out.split()
    assert missing == "True" and where.startswith(str(hub.layout.release)), out
    assert people[A].run(f"""
import os; print(os.access({str(hub.layout.release / 'widgets')!r}, os.W_OK))""").strip() == "False"
    # ...so the release comes compiled, for the servers' Python: a kernel cannot keep bytecode there
    compiled = people[A].run(f"""
import importlib.util, pathlib
src = list(pathlib.Path({str(hub.layout.release / 'widgets')!r}).rglob('*.py'))
print(len(src), sum(pathlib.Path(importlib.util.cache_from_source(str(p))).exists() for p in src))""").split()
    assert compiled[0] == compiled[1] and int(compiled[0]) > 50, f"modules compiled again at every kernel start: {compiled}"
