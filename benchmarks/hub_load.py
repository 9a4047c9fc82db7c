"""A class through a real class hub: N simulated students, their memory, spawn time and change latency.

Starts its own class hub (deploy/local-hub, as `make hub` runs it: a system account per student, each server
run as its student from the servers' read-only environment, PAM logins, the hand-in service; everything on
127.0.0.1) for each class size, and stops it afterwards, removing the accounts (``vkpb-s01`` ...).  Run it as
root.  Every student, all at once as at 9 o'clock:

  1. logs in through the hub's login form, which starts their server (spawn time: login -> server ready);
  2. starts a kernel through the proxy and runs every code cell of the notebook (default: the outcomes
     notebook with the height-restoration explorer, which the issue called notebook 04 before the renumbering)
     over the kernel's websocket, as JupyterLab does, without a browser;
  3. then, once the whole class has got that far, moves the explorer's height-loss slider once every half
     second for a minute: a widget "update" message to the kernel, as the slider sends it; the clock stops when
     the kernel's updated figure (the <img> of the explorer) arrives back through the proxy.

A change whose figure does not arrive within 5 s is dropped; a student whose login, spawn, kernel or notebook
fails is a failure.  Memory is the resident set (RSS) sampled every 2 s: per student their Jupyter server and
their kernel (peak), and the hub's own process and the proxy.  Bounded: at most 60 students, at most 5 minutes
of changes, and a deadline for each class (--deadline); nothing leaves 127.0.0.1.

    .venv/bin/python benchmarks/hub_load.py                      # N = 1, 10, 30 side by side (make bench)
    .venv/bin/python benchmarks/hub_load.py --students 30 --minutes 1

The last lines give, for the largest class: N, p50 and p95 change latency, failures, and MB per student
(the heaviest student's peak server + kernel RSS, which deploy/z2jh/values.yaml is sized from), beside the
figures of the hub before it gave each student an account of their own (269 MB, p95 130 ms at N = 30).
Target on a 2-core machine: 30 students, p95 <= 150 ms, at most 250 MB per student, no failed spawn, no dropped
change.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import itertools
import json
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.local_hub import (  # noqa: E402
    Accounts, HubError, Roster, course_files, remove_accounts, require_root, running_hub, server_processes,
)

TARGET_N, TARGET_P95_MS, TARGET_MB = 30, 150.0, 250.0
#: The N = 30 figures of the hub before issue 21 (every server as the hub's own user; deploy/README.md).
PREVIOUS = {"mb": 269.0, "p95": 130.0}
ACCOUNTS = Accounts("vkpb-")
MAX_STUDENTS, MAX_MINUTES = 60, 5.0
DROP_AFTER_S = 5.0
SLIDER = "Height loss (% of expected height)"
DEFAULT_NOTEBOOK = "notebooks/05-comparing-outcomes.ipynb"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


@dataclass
class Student:
    name: str
    spawn_s: float | None = None
    kernel_s: float | None = None
    notebook_s: float | None = None
    latencies_ms: list[float] = field(default_factory=list)
    sent: int = 0
    dropped: int = 0
    failure: str = ""
    peak_server_mb: float = 0.0
    peak_kernel_mb: float = 0.0
    peak_total_mb: float = 0.0
    cores: float | None = None                 # CPU (cores) used by server + kernel while moving the slider


# ---------------------------------------------------------------- memory, sampled in a thread
class MemorySampler(threading.Thread):
    def __init__(self, hub, students: dict[str, Student], every: float = 2.0):
        super().__init__(daemon=True)
        self.hub, self.students, self.every = hub, students, every
        self.stop_event = threading.Event()
        self.hub_mb = self.proxy_mb = 0.0
        self.hub_cores = float("nan")

    def run(self):
        import psutil
        hub_proc = psutil.Process(self.hub.proc.pid)
        while not self.stop_event.is_set():
            try:
                self.hub_mb = max(self.hub_mb, hub_proc.memory_info().rss / 2**20)
                for child in hub_proc.children():
                    if "configurable-http-proxy" in " ".join(child.cmdline()):
                        self.proxy_mb = max(self.proxy_mb, child.memory_info().rss / 2**20)
                for user, server in server_processes(self.hub).items():
                    s = self.students.get(user)
                    if s is None:
                        continue
                    server_mb = server.memory_info().rss / 2**20
                    kernel_mb = sum(k.memory_info().rss for k in server.children(recursive=True)) / 2**20
                    s.peak_server_mb = max(s.peak_server_mb, server_mb)
                    s.peak_kernel_mb = max(s.peak_kernel_mb, kernel_mb)
                    s.peak_total_mb = max(s.peak_total_mb, server_mb + kernel_mb)
            except psutil.Error:
                pass                                   # a process ended between listing and reading
            self.stop_event.wait(self.every)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds (user + system) used so far by each student's server and kernel, and by the hub + proxy."""
        import psutil
        out = {}

        def total(procs):
            seconds = 0.0
            for proc in procs:
                try:
                    t = proc.cpu_times()
                    seconds += t.user + t.system
                except psutil.Error:
                    pass
            return seconds
        for user, server in server_processes(self.hub).items():
            try:
                out[user] = total([server, *server.children(recursive=True)])
            except psutil.Error:
                pass
        hub_proc = psutil.Process(self.hub.proc.pid)
        out["<hub>"] = total([hub_proc, *[c for c in hub_proc.children() if "configurable-http-proxy"
                                           in " ".join(c.cmdline())]])
        return out


# ---------------------------------------------------------------- one student, over HTTP and the kernel websocket
V1 = "v1.kernel.websocket.jupyter.org"      # the kernel websocket protocol JupyterLab 4 speaks


def _message(msg_type: str, content: dict, session: str, user: str) -> list[bytes]:
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session, "username": user,
              "date": datetime.datetime.now(datetime.timezone.utc).isoformat(), "version": "5.3"}
    return [json.dumps(part).encode() for part in (header, {}, {}, content)]


def to_ws_v1(parts: list[bytes], channel: str = "shell") -> bytes:
    """A message in the v1 kernel websocket protocol (jupyter_server's serialize_msg_to_ws_v1)."""
    chan = channel.encode()
    offsets = [8 * (1 + 1 + len(parts) + 1)]
    offsets.append(offsets[-1] + len(chan))
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    return b"".join([len(offsets).to_bytes(8, "little"), *(o.to_bytes(8, "little") for o in offsets), chan, *parts])


def from_ws_v1(raw: bytes) -> tuple[str, list[bytes]]:
    n = int.from_bytes(raw[:8], "little")
    offsets = [int.from_bytes(raw[8 * (i + 1):8 * (i + 2)], "little") for i in range(n)]
    return raw[offsets[0]:offsets[1]].decode(), [raw[offsets[i]:offsets[i + 1]] for i in range(1, n - 1)]


class Kernel:
    """A kernel's websocket through the proxy, as JupyterLab opens it: send requests, route replies and widget
    messages.  Only the small parts of a message are parsed, and a figure only when it is the awaited one."""

    def __init__(self, ws, user: str):
        if ws.selected_subprotocol != V1:
            raise RuntimeError(f"the server did not accept the {V1} websocket protocol")
        self.ws, self.user, self.session = ws, user, uuid.uuid4().hex
        self.replies: dict[str, asyncio.Future] = {}
        self.idle: dict[str, asyncio.Future] = {}
        self.widgets: dict[str, dict] = {}            # comm id -> state at comm_open
        self.figure_waiters: list[tuple[str | None, bytes, asyncio.Future]] = []
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self):
        while True:
            raw = await self.ws.read_message()
            if raw is None:
                break
            _, parts = from_ws_v1(raw)
            kind = json.loads(parts[0])["msg_type"]
            if kind not in {"execute_reply", "status", "comm_open", "comm_msg"}:
                continue
            parent = json.loads(parts[1]).get("msg_id")
            if kind == "execute_reply" and parent in self.replies:
                self.replies.pop(parent).set_result(json.loads(parts[3]))
            elif kind == "status" and parent in self.idle and b'"idle"' in parts[3]:
                self.idle.pop(parent).set_result(True)
            elif kind == "comm_open":
                content = json.loads(parts[3])
                if content.get("target_name") == "jupyter.widget":
                    self.widgets[content["comm_id"]] = content.get("data", {}).get("state", {})
            elif kind == "comm_msg" and self.figure_waiters:
                waiting = [w for w in self.figure_waiters if w[1] in parts[3] and not w[2].done()]
                if not waiting:
                    continue
                content = json.loads(parts[3])
                data = content.get("data", {})
                value = data.get("state", {}).get("value")
                if data.get("method") != "update" or not isinstance(value, str) or not value.startswith("<img"):
                    continue
                for comm, _, fut in waiting:
                    if comm in (None, content["comm_id"]):
                        fut.set_result(content["comm_id"])

    def send(self, parts: list[bytes]):
        return self.ws.write_message(to_ws_v1(parts), binary=True)

    async def execute(self, code: str, timeout: float) -> dict:
        msg = _message("execute_request", {"code": code, "silent": False, "store_history": True,
                                           "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
                       self.session, self.user)
        msg_id = json.loads(msg[0])["msg_id"]
        loop = asyncio.get_running_loop()
        reply = self.replies[msg_id] = loop.create_future()
        idle = self.idle[msg_id] = loop.create_future()
        await self.send(msg)
        try:
            content = await asyncio.wait_for(reply, timeout)
        except asyncio.TimeoutError:
            raise asyncio.TimeoutError(f"no execute_reply within {timeout:g} s") from None
        try:
            await asyncio.wait_for(idle, timeout)
        except asyncio.TimeoutError:
            raise asyncio.TimeoutError(f"the reply came, but no 'idle' status within {timeout:g} s") from None
        return content

    def comm_of(self, description: str) -> str:
        found = [cid for cid, st in self.widgets.items() if st.get("description") == description]
        if len(found) != 1:
            raise RuntimeError(f"expected one widget {description!r}, found {len(found)}")
        return found[0]

    async def change(self, comm_id: str, state: dict, figure: str | None, expect: str,
                     timeout: float) -> tuple[float, str]:
        """Send one control change; return (latency in ms, the figure's comm id) when the figure whose alt text
        contains ``expect`` (the new value, as the figure describes it) arrives."""
        fut = asyncio.get_running_loop().create_future()
        waiter = (figure, expect.encode(), fut)
        self.figure_waiters.append(waiter)
        msg = _message("comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": state,
                                                                 "buffer_paths": []}}, self.session, self.user)
        start = time.perf_counter()
        try:
            await self.send(msg)
            figure_id = await asyncio.wait_for(fut, timeout)
            return (time.perf_counter() - start) * 1000, figure_id
        finally:
            self.figure_waiters.remove(waiter)

    def close(self):
        self.reader.cancel()
        self.ws.close()


async def hub_login(client, hub, s: Student) -> str:
    """Log in through the form (starting the server), wait until it is ready; return an API token."""
    await client.get(hub.url + "hub/login")
    xsrf = client.cookies.get("_xsrf", path="/hub/")
    headers = {"X-XSRFToken": xsrf}
    start = time.perf_counter()
    r = await client.post(hub.url + "hub/login", data={"username": s.name, "password": hub.passwords[s.name],
                                                        "_xsrf": xsrf})
    if r.status_code != 302:
        raise RuntimeError(f"login answered {r.status_code}")
    headers = {"X-XSRFToken": client.cookies.get("_xsrf", path="/hub/")}   # a new one after login
    r = await client.get(hub.url + "hub/spawn", headers=headers)         # what the login's redirect asks for
    if r.status_code not in {200, 302}:
        raise RuntimeError(f"spawn answered {r.status_code}")
    while True:
        r = await client.get(hub.url + f"hub/api/users/{s.name}", headers=headers)
        r.raise_for_status()
        server = r.json().get("servers", {}).get("", {})
        if server.get("ready"):
            break
        if not server.get("pending") and not server.get("ready") and time.perf_counter() - start > 15:
            raise RuntimeError(f"the server did not start: {r.json()}")
        await asyncio.sleep(0.25)
    s.spawn_s = time.perf_counter() - start
    r = await client.post(hub.url + f"hub/api/users/{s.name}/tokens", headers=headers,
                          json={"note": "hub_load benchmark", "expires_in": 3600})
    r.raise_for_status()
    return r.json()["token"]


async def student_run(hub, s: Student, cells: list[str], ready: asyncio.Barrier, go: asyncio.Event,
                      changes: int, interval: float, seed: int) -> None:
    import httpx
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    kernel = None
    arrived = False
    stage = "logging in and starting the server"
    try:
        async with httpx.AsyncClient(timeout=300) as client:
            token = await hub_login(client, hub, s)
            stage = "starting a kernel"
            auth = {"Authorization": f"token {token}"}
            start = time.perf_counter()
            r = await client.post(hub.url + f"user/{s.name}/api/kernels", headers=auth, json={"name": "python3"})
            r.raise_for_status()
            kernel_id = r.json()["id"]
            ws_url = hub.url.replace("http://", "ws://") + f"user/{s.name}/api/kernels/{kernel_id}/channels"
            ws = await websocket_connect(HTTPRequest(ws_url, headers=auth, request_timeout=120),
                                         max_message_size=64 * 2**20, subprotocols=[V1])
            kernel = Kernel(ws, s.name)
            stage = "waiting for the kernel's first answer"
            await kernel.execute("pass", timeout=300)                  # the kernel answers
            s.kernel_s = time.perf_counter() - start
            start = time.perf_counter()
            for i, code in enumerate(cells):
                stage = f"running code cell {i + 1} of {len(cells)}"
                reply = await kernel.execute(code, timeout=300)
                if reply.get("status") != "ok":
                    raise RuntimeError(f"cell {i} failed: {reply.get('ename')}: {reply.get('evalue')}")
            s.notebook_s = time.perf_counter() - start
            stage = "finding the slider"
            slider = kernel.comm_of(SLIDER)
            stage = "moving the slider"
            arrived = True
            await ready.wait()                                          # the whole class has got here
            await go.wait()
            rng = random.Random(seed)
            await asyncio.sleep(rng.uniform(0, interval))                 # students are not in lockstep
            values = itertools.cycle(list(range(31, 61)) + list(range(59, 31, -1)))
            figure = None
            t0 = time.perf_counter()
            for k in range(changes):
                await asyncio.sleep(max(0.0, t0 + k * interval - time.perf_counter()))
                s.sent += 1
                value = next(values)
                try:
                    ms, figure = await kernel.change(slider, {"value": float(value)}, figure,
                                                     f"{value} % height loss", DROP_AFTER_S)
                    s.latencies_ms.append(ms)
                except asyncio.TimeoutError:
                    s.dropped += 1
    except Exception as exc:  # noqa: BLE001 - every failure is counted and reported, none stops the class
        s.failure = f"{stage}: {type(exc).__name__}: {exc}"[:300]
        if not arrived:
            await ready.wait()
    finally:
        if kernel:
            kernel.close()


async def run_class(hub, n: int, cells: list[str], minutes: float, interval: float, deadline: float):
    students = {f"vkpb-s{i:02d}": Student(f"vkpb-s{i:02d}") for i in range(1, n + 1)}
    sampler = MemorySampler(hub, students)
    sampler.start()
    ready, go = asyncio.Barrier(n + 1), asyncio.Event()
    changes = int(round(minutes * 60 / interval))
    tasks = [asyncio.ensure_future(student_run(hub, s, cells, ready, go, changes, interval, seed=i))
             for i, s in enumerate(students.values())]
    start = time.perf_counter()
    print(f"   {n} logging in at once; each then runs the notebook ...", flush=True)
    try:
        await asyncio.wait_for(ready.wait(), deadline)
        setup_s = time.perf_counter() - start
        print(f"   all ready after {setup_s:.0f} s; moving the slider for {minutes * 60:.0f} s ...", flush=True)
        cpu0, t0 = await asyncio.to_thread(sampler.cpu_seconds), time.perf_counter()
        go.set()
        await asyncio.wait_for(asyncio.gather(*tasks), max(30.0, deadline - setup_s))
        cpu1, elapsed = await asyncio.to_thread(sampler.cpu_seconds), time.perf_counter() - t0
        for user, s in students.items():
            if user in cpu0 and user in cpu1 and not s.failure:
                s.cores = (cpu1[user] - cpu0[user]) / elapsed
        sampler.hub_cores = (cpu1["<hub>"] - cpu0["<hub>"]) / elapsed
    except asyncio.TimeoutError:
        setup_s = time.perf_counter() - start
        for task, s in zip(tasks, students.values()):
            if not task.done():
                task.cancel()
                s.failure = s.failure or f"did not finish within the {deadline:.0f} s deadline"
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await asyncio.sleep(2.5)                                       # one more memory sample after the minute
        sampler.stop_event.set()
        await asyncio.to_thread(sampler.join)
    return list(students.values()), sampler, setup_s


def notebook_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text())
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def report(n: int, students: list[Student], sampler: MemorySampler, setup_s: float, notebook: str) -> dict:
    lat = [ms for s in students for ms in s.latencies_ms]
    failed = [s for s in students if s.failure]
    spawned = [s.spawn_s for s in students if s.spawn_s is not None]
    runs = [s.notebook_s for s in students if s.notebook_s is not None]
    totals = [s.peak_total_mb for s in students if s.peak_total_mb]
    servers = [s.peak_server_mb for s in students if s.peak_server_mb]
    kernels = [s.peak_kernel_mb for s in students if s.peak_kernel_mb]
    sent, dropped = sum(s.sent for s in students), sum(s.dropped for s in students)
    cores = [s.cores for s in students if s.cores is not None]
    row = {"n": n, "spawn_p50": statistics.median(spawned) if spawned else float("nan"),
           "spawn_max": max(spawned, default=float("nan")),
           "nb_p50": statistics.median(runs) if runs else float("nan"), "nb_max": max(runs, default=float("nan")),
           "p50": pct(lat, 0.50), "p95": pct(lat, 0.95), "p99": pct(lat, 0.99), "max": max(lat, default=float("nan")),
           "sent": sent, "dropped": dropped, "failed": len(failed), "failures": len(failed) + dropped,
           "server_p50": statistics.median(servers) if servers else float("nan"),
           "kernel_p50": statistics.median(kernels) if kernels else float("nan"),
           "kernel_max": max(kernels, default=float("nan")),
           "mb_p50": statistics.median(totals) if totals else float("nan"),
           "mb_max": max(totals, default=float("nan")), "hub_mb": sampler.hub_mb, "proxy_mb": sampler.proxy_mb,
           "setup_s": setup_s, "cores_p50": statistics.median(cores) if cores else float("nan"),
           "cores_max": max(cores, default=float("nan")), "hub_cores": sampler.hub_cores}
    print(f"\n== {n} student{'s' if n > 1 else ''} through the hub ({notebook}; whole class ready to interact "
          f"after {setup_s:.1f} s)")
    print(f"   spawn, login -> server ready:  p50 {row['spawn_p50']:6.1f} s   max {row['spawn_max']:6.1f} s   "
          f"failed students {len(failed)}")
    print(f"   notebook run, every cell:      p50 {row['nb_p50']:6.1f} s   max {row['nb_max']:6.1f} s")
    print(f"   change -> updated figure:      p50 {row['p50']:6.1f} ms  p95 {row['p95']:6.1f} ms  "
          f"p99 {row['p99']:6.1f} ms  max {row['max']:6.1f} ms   ({len(lat)} of {sent} arrived, {dropped} dropped)")
    print(f"   memory per student (peak RSS): server p50 {row['server_p50']:5.0f} MB, kernel p50 "
          f"{row['kernel_p50']:5.0f} MB (max {row['kernel_max']:.0f}), server + kernel p50 {row['mb_p50']:5.0f} MB, "
          f"max {row['mb_max']:5.0f} MB")
    print(f"   CPU while moving the slider:   per student (server + kernel) p50 {row['cores_p50']:.3f} cores, "
          f"max {row['cores_max']:.3f}; hub + proxy {row['hub_cores']:.3f} cores")
    print(f"   the hub's own memory (peak RSS): jupyterhub {row['hub_mb']:.0f} MB, configurable-http-proxy "
          f"{row['proxy_mb']:.0f} MB")
    for s in failed[:5]:
        print(f"   FAILED {s.name}: {s.failure}")
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[1, 10, 30],
                        help=f"class sizes, each on a fresh hub (1 to {MAX_STUDENTS}; default 1 10 30)")
    parser.add_argument("--notebook", default=DEFAULT_NOTEBOOK, help="the notebook every student runs")
    parser.add_argument("--minutes", type=float, default=1.0, help="how long each student moves the slider")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between two changes")
    parser.add_argument("--deadline", type=float, default=600, help="seconds each class may take to get ready")
    args = parser.parse_args(argv)
    if any(not 1 <= n <= MAX_STUDENTS for n in args.students):
        parser.error(f"--students must be between 1 and {MAX_STUDENTS} on one machine")
    if not 0 < args.minutes <= MAX_MINUTES or args.interval < 0.1:
        parser.error(f"--minutes must be in (0, {MAX_MINUTES:g}] and --interval at least 0.1 s")
    cells = notebook_cells(ROOT / args.notebook)
    try:
        require_root("the class hub benchmark")
    except HubError as exc:
        parser.error(str(exc))
    rows = []
    with tempfile.TemporaryDirectory(prefix="hub-load-") as tmp:
        source = course_files(Path(tmp) / "source")
        for n in args.students:
            print(f"== N = {n}: starting a class hub with {n} student accounts", flush=True)
            roster = Roster(("vkpb-teach",), tuple(f"vkpb-s{i:02d}" for i in range(1, n + 1)))
            root = Path(tempfile.mkdtemp(prefix="vkpb-hub-", dir="/tmp"))
            root.chmod(0o755)
            try:
                with running_hub(root, roster, accounts=ACCOUNTS, course_source=source,
                                 spawn_limit=max(n, 40)) as hub:
                    students, sampler, setup_s = asyncio.run(
                        run_class(hub, n, cells, args.minutes, args.interval, args.deadline))
            except HubError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            finally:
                remove_accounts(roster.everyone, ACCOUNTS)
                shutil.rmtree(root, ignore_errors=True)
            rows.append(report(n, students, sampler, setup_s, Path(args.notebook).stem))

    base = rows[0]
    print(f"\n{'N':>3} {'spawn p50 s':>11} {'spawn max s':>11} {'run p50 s':>9} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'p95/N=' + str(base['n']):>8} {'changes':>8} {'dropped':>7} {'failed':>6} {'MB/student':>10} "
          f"{'(p50)':>6} {'cores':>6} {'hub MB':>6} {'proxy MB':>8}")
    for r in rows:
        print(f"{r['n']:>3} {r['spawn_p50']:11.1f} {r['spawn_max']:11.1f} {r['nb_p50']:9.1f} {r['p50']:7.1f} "
              f"{r['p95']:7.1f} {r['p95'] / base['p95']:7.1f}x {r['sent']:8d} {r['dropped']:7d} {r['failed']:6d} "
              f"{r['mb_max']:10.0f} {r['mb_p50']:6.0f} {r['cores_max']:6.3f} {r['hub_mb']:6.0f} {r['proxy_mb']:8.0f}")
    print("MB/student: the heaviest student's peak RSS of server + kernel (p50: the median student's); cores: the "
          "busiest student's CPU while moving the slider; latency: change sent -> updated figure received, "
          "through the proxy")
    ok = True
    for r in rows:
        if r["n"] >= TARGET_N:
            ok &= r["p95"] <= TARGET_P95_MS and r["failures"] == 0 and r["mb_max"] <= TARGET_MB
    last = rows[-1]
    print(f"\nN={last['n']}, each student in an account of their own, beside the hub before (one shared account, N=30):")
    print(f"   MB per student: {last['mb_max']:.0f} (before {PREVIOUS['mb']:.0f}, {last['mb_max'] / PREVIOUS['mb']:.2f}x; "
          f"goal <= {TARGET_MB:.0f})")
    print(f"   p95 change latency: {last['p95']:.1f} ms (before {PREVIOUS['p95']:.0f} ms, "
          f"{last['p95'] / PREVIOUS['p95']:.2f}x; goal <= {TARGET_P95_MS:.0f})")
    print(f"N={last['n']} p50={last['p50']:.1f}ms p95={last['p95']:.1f}ms failures={last['failures']} "
          f"MB/student={last['mb_max']:.0f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
