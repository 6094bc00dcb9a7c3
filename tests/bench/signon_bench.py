"""Sign-on throughput against a real gunicorn server, compared with a trivial request.

Run with `make bench`, or `.venv/bin/python tests/bench/signon_bench.py --seconds 20
--clients 50`. Not collected by pytest (the file name does not match test_*.py).

What it does, all on loopback and in a temporary instance folder:

1. `signon db upgrade`, then, through the app's own services: a user, a statement
   opened for signatures, and N invitations (each with its queued email).
2. gunicorn with 2 sync workers serving `signon:create_app()` on SQLite, rate
   limits off (every client shares one address).
3. Phase "trivial": the clients GET a trivial path (/static/signon.css) as fast
   as they can for the duration.
4. Phase "sign-on": each client takes an unused invitation, GETs its sign page,
   reads the CSRF token and the session cookie, POSTs the form, and expects the
   303 to the thank-you page: one new signature per sign-on.
5. The database is checked: one signature per successful POST, no invitation
   with two, and one confirmation email queued per signature.

It prints sign-ons per second, latency percentiles, errors, and the server's CPU
per sign-on (GET the page, POST the form) as milliseconds and as a multiple of a
trivial request's. Targets, on a statement of 1,600 words (--words):
- the old throughput target (sign-ons/s >= 0.5 x trivial requests/s) restated as
  CPU: a sign-on at most half of what it cost on 2026-12-07 before issue 12's work,
  16.0x a trivial request (9.3 ms), so at most 8.0x;
- a regression bound the code meets today: at most 15x.
The statement's length costs nothing per request (its HTML is rendered once per
process): --words 0 measures the same. Exit status 1 when the integrity checks
fail or a request errs; the ratios are reported only.
"""

from __future__ import annotations

import argparse
import http.client
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
HALF_OF_BEFORE = 8.0  # 16.0x a trivial request before issue 12, halved
REGRESSION_BOUND = 15.0
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
STATEMENT_BODY = """We, the undersigned organisations, call on the authorities of Meridia to
release every detained journalist immediately and unconditionally, to drop all
charges brought against them for their work, and to guarantee that independent
media can report without fear of reprisal.

## Our demands

1. Release the journalists held since the elections.
2. Drop the charges under the "foreign agents" law.
3. Restore the licences of the independent outlets that were closed.

The undersigned stand ready to support any step that protects press freedom.
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


# --- set-up -------------------------------------------------------------------------


def statement_body(words: int) -> str:
    """The short statement, or about `words` words of generated text (headings,
    lists, a table, footnotes: what the sign page renders)."""
    if not words:
        return STATEMENT_BODY
    sys.path.insert(0, str(ROOT / "tests" / "bench"))
    from render_bench import generated_body

    return generated_body(words)


def prepare_instance(
    instance: Path, invitations: int, base_url: str, words: int = 0
) -> tuple[str, list]:
    """Migrate with the CLI, then make the statement and invitations with the services.
    Returns the statement's slug and [(invitation id, path of its sign page)]."""
    env = bench_environment(instance, base_url)
    subprocess.run([str(BIN / "signon"), "db", "upgrade"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    os.environ.update(env)
    from signon import create_app
    from signon.accounts.service import create_user
    from signon.extensions import db
    from signon.signatures.invitations.service import InvitationRow, add_invitations
    from signon.signatures.links import invitation_link
    from signon.statements.lifecycle import open_for_signatures
    from signon.statements.models import SignatoryOrder
    from signon.statements.service import create_statement

    app = create_app()
    with app.app_context():
        lead = create_user("lead@bench.example", "Bench Lead", "a long bench password")
        statement = create_statement(
            title="Release the journalists of Meridia",
            body=statement_body(words),
            language="en",
            owner=lead,
        )
        open_for_signatures(
            statement,
            deadline=None,
            time_zone="Europe/Paris",
            signatories_intro="Signed by:",
            signatory_order=SignatoryOrder.ALPHABETICAL,
        )
        db.session.commit()
        links = []
        for start in range(0, invitations, 1000):
            rows = [
                InvitationRow(n, f"Partner organisation {n}", f"partner{n}@bench.example", "")
                for n in range(start + 1, min(start + 1000, invitations) + 1)
            ]
            created = add_invitations(statement, rows, actor=lead)
            db.session.commit()
            links += [(i.id, invitation_link(i).removeprefix(base_url) + "/sign") for i in created]
        slug = statement.slug
        db.session.remove()
        db.engine.dispose()
    return slug, links


def bench_environment(instance: Path, base_url: str) -> dict:
    return {
        **os.environ,
        "SIGNON_INSTANCE_PATH": str(instance),
        "SIGNON_BASE_URL": base_url,
        "SIGNON_RATELIMIT_ENABLED": "false",
        "SIGNON_MAIL_WORKER_THREAD": "false",
    }


class Server:
    """gunicorn, 2 sync workers, on a loopback port; its log in the instance folder."""

    def __init__(self, instance: Path, port: int, base_url: str, workers: int, app: str):
        self.log = (instance / "gunicorn.log").open("wb")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"{HOST}:{port}",
             "--graceful-timeout", "5", app],
            env=bench_environment(instance, base_url), cwd=ROOT,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.port = port

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.process.returncode}")
            try:
                if get(self.port, "/static/signon.css")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer in time")

    def worker_cpu_seconds(self) -> float:
        """User + system CPU time of gunicorn's workers so far (Linux /proc)."""
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            pids = [self.process.pid, *map(int, children.read_text().split())]
        except OSError:
            return float("nan")
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
        return total

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# --- clients ------------------------------------------------------------------------


def request(port: int, method: str, path: str, body: str | None = None, headers=None):
    """One request on a fresh connection (gunicorn's sync workers close after each)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def get(port: int, path: str):
    return request(port, "GET", path)


@dataclass
class Tally:
    """What one client saw; merged after the run (no locks while measuring)."""

    latencies: list[float] = field(default_factory=list)
    post_latencies: list[float] = field(default_factory=list)
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    signed: list[int] = field(default_factory=list)  # invitation ids whose POST succeeded
    ran_out: bool = False


def trivial_client(port: int, path: str, stop_at: float, tally: Tally) -> None:
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        try:
            status, _headers, _body = get(port, path)
        except OSError as error:
            tally.errors.append(f"GET {path}: {error!r}")
            continue
        tally.requests += 1
        if status != 200:
            tally.errors.append(f"GET {path}: HTTP {status}")
            continue
        tally.latencies.append(time.perf_counter() - started)


def sign_once(port: int, invitation_id: int, path: str, tally: Tally) -> None:
    started = time.perf_counter()
    status, headers, body = get(port, path)
    tally.requests += 1
    if status != 200:
        tally.errors.append(f"GET sign page: HTTP {status}")
        return
    match = CSRF.search(body.decode())
    cookie = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        cookie.load(value)
    if not match or "session" not in cookie:
        tally.errors.append("sign page without a CSRF token or a session cookie")
        return
    form = urlencode({
        "csrf_token": match.group(1),
        "kind": "organisation",
        "name": f"Partner organisation {invitation_id}",
        "acronym": f"PO{invitation_id}",
        "country": "Meridia",
        "listed_publicly": "y",
        "authorised_by": "Ana Pérez",
        "authoriser_title": "Director",
        "contact_email": f"partner{invitation_id}@bench.example",
        "authorised": "y",
    })  # fmt: skip
    posted = time.perf_counter()
    status, headers, body = request(
        port,
        "POST",
        path,
        form,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"session={cookie['session'].value}",
        },
    )
    tally.requests += 1
    if status != 303 or not (headers.get("Location") or "").endswith("/signed"):
        tally.errors.append(f"POST sign: HTTP {status} {body[:200]!r}")
        return
    finished = time.perf_counter()
    tally.signed.append(invitation_id)
    tally.latencies.append(finished - started)
    tally.post_latencies.append(finished - posted)


def sign_client(port: int, links: queue.SimpleQueue, stop_at: float, tally: Tally) -> None:
    while time.monotonic() < stop_at:
        try:
            invitation_id, path = links.get_nowait()
        except queue.Empty:
            tally.ran_out = True
            return
        try:
            sign_once(port, invitation_id, path, tally)
        except OSError as error:
            tally.errors.append(f"sign-on: {error!r}")


def run_phase(clients: int, seconds: float, target, *args) -> tuple[Tally, float]:
    """Run `clients` threads of target(*args, stop_at, tally); returns the merged
    tally and the elapsed time (until the last request in flight finished)."""
    tallies = [Tally() for _ in range(clients)]
    started = time.monotonic()
    stop_at = started + seconds
    threads = [
        threading.Thread(target=target, args=(*args, stop_at, tally), daemon=True)
        for tally in tallies
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    merged = Tally()
    for tally in tallies:
        merged.latencies += tally.latencies
        merged.post_latencies += tally.post_latencies
        merged.requests += tally.requests
        merged.errors += tally.errors
        merged.signed += tally.signed
        merged.ran_out |= tally.ran_out
    return merged, elapsed


# --- checking -----------------------------------------------------------------------


def check_database(instance: Path, slug: str, signed: list[int]) -> list[str]:
    """Compare the database with what the clients were told; returns the problems."""
    from sqlalchemy import func, select

    from signon import create_app
    from signon.extensions import db
    from signon.mail.models import OutboxMessage
    from signon.signatures.models import Signature
    from signon.statements.models import Statement

    problems = []
    app = create_app()
    with app.app_context():
        statement = db.session.scalar(select(Statement).where(Statement.slug == slug))
        rows = db.session.execute(
            select(Signature.invitation_id, func.count())
            .where(Signature.statement_id == statement.id)
            .group_by(Signature.invitation_id)
        ).all()
        confirmations = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.statement_id == statement.id, OutboxMessage.kind == "confirmation")
        )
        db.session.remove()
        db.engine.dispose()
    in_db = {invitation_id: count for invitation_id, count in rows}
    total = sum(in_db.values())
    doubled = {i: n for i, n in in_db.items() if n > 1}
    told = set(signed)
    print(f"  signatures in the database : {total}")
    print(f"  successful sign-on POSTs   : {len(signed)}")
    print(f"  invitations signed twice   : {len(doubled)}")
    print(f"  confirmation emails queued : {confirmations}")
    if total != len(signed):
        problems.append(f"{total} signatures in the database, {len(signed)} successful POSTs")
    if len(told) != len(signed):
        problems.append("an invitation was reported signed twice")
    if doubled:
        problems.append(f"invitations with more than one signature: {sorted(doubled)[:10]}")
    if lost := told - in_db.keys():
        problems.append(f"{len(lost)} signatures reported saved are missing: {sorted(lost)[:10]}")
    if extra := in_db.keys() - told:
        problems.append(f"{len(extra)} signatures nobody was told about: {sorted(extra)[:10]}")
    if confirmations != total:
        problems.append(f"{confirmations} confirmation emails for {total} signatures")
    return problems


# --- main ---------------------------------------------------------------------------


def report(name: str, tally: Tally, elapsed: float, unit: str, count: int) -> float:
    rate = count / elapsed
    ms = [x * 1000 for x in tally.latencies]
    print(f"  {unit:<22}: {count} in {elapsed:.1f} s = {rate:.1f}/s")
    print(f"  HTTP requests         : {tally.requests} = {tally.requests / elapsed:.1f}/s")
    print(f"  latency p50 / p95     : {percentile(ms, 0.5):.1f} ms / {percentile(ms, 0.95):.1f} ms")
    if tally.post_latencies:
        post = [x * 1000 for x in tally.post_latencies]
        print(
            f"  POST alone p50 / p95  : {percentile(post, 0.5):.1f} ms / "
            f"{percentile(post, 0.95):.1f} ms"
        )
    print(f"  errors                : {len(tally.errors)}")
    for error in sorted(set(tally.errors))[:5]:
        print(f"    {error}")
    return rate


def cpu_report(server: Server, server_before: float, client_before: float, count: int, unit: str):
    """Print the CPU the phase used; returns the server's CPU milliseconds per unit."""
    used = server.worker_cpu_seconds() - server_before
    per = used / count * 1000 if count else float("nan")
    print(
        f"  server CPU            : {used:.1f} s = {per:.2f} ms per {unit} "
        f"(clients: {time.process_time() - client_before:.1f} s)"
    )
    return per


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--invitations", type=int, default=0,
        help="invitations to create (default: enough for 200 sign-ons a second)",
    )  # fmt: skip
    parser.add_argument("--trivial-path", default="/static/signon.css")
    parser.add_argument(
        "--words", type=int, default=1600, help="words in the statement (0: a short one)"
    )
    parser.add_argument(
        "--app", default="signon:create_app()", help="gunicorn's app (for experiments)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the instance folder")
    args = parser.parse_args(argv)
    invitations = args.invitations or int(200 * args.seconds) + args.clients

    instance = Path(tempfile.mkdtemp(prefix="signon-bench-"))
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    print(f"signon sign-on benchmark: {args.clients} clients, {args.seconds:g} s per phase")
    print(
        f"  gunicorn -w {args.workers} on {base_url}, SQLite in {instance}, {os.cpu_count()} CPUs"
    )
    server = None
    try:
        started = time.monotonic()
        slug, links = prepare_instance(instance, invitations, base_url, args.words)
        print(f"  set-up: {len(links)} invitations in {time.monotonic() - started:.1f} s")
        server = Server(instance, port, base_url, args.workers, args.app)
        server.wait_ready()

        print(f"\nTrivial: GET {args.trivial_path}")
        for _ in range(20):  # warm the workers up
            get(port, args.trivial_path)
        cpu_before = server.worker_cpu_seconds()
        client_cpu = time.process_time()
        trivial, elapsed = run_phase(
            args.clients, args.seconds, trivial_client, port, args.trivial_path
        )
        trivial_rate = report("trivial", trivial, elapsed, "requests", len(trivial.latencies))
        trivial_cpu = cpu_report(server, cpu_before, client_cpu, len(trivial.latencies), "request")

        print("\nSign-on: GET /i/<token>/sign, then POST the form (303 to the thank-you page)")
        pending: queue.SimpleQueue = queue.SimpleQueue()
        for item in links:
            pending.put(item)
        cpu_before = server.worker_cpu_seconds()
        client_cpu = time.process_time()
        signing, elapsed = run_phase(args.clients, args.seconds, sign_client, port, pending)
        sign_rate = report("sign-ons", signing, elapsed, "sign-ons", len(signing.signed))
        sign_cpu = cpu_report(server, cpu_before, client_cpu, len(signing.signed), "sign-on")
        if signing.ran_out:
            print("  NOTE: the invitations ran out; use --invitations for more.")
    except BaseException:
        log = instance / "gunicorn.log"
        if log.exists():
            print("gunicorn's log ends with:\n" + log.read_text(errors="replace")[-3000:])
        print(f"instance kept in {instance}")
        raise
    finally:
        if server:
            server.stop()

    print("\nIntegrity")
    problems = check_database(instance, slug, signing.signed)
    ratio = sign_rate / trivial_rate if trivial_rate else float("nan")
    print("\nResult")
    print(f"  sign-ons/s                  : {sign_rate:.1f}")
    print(f"  trivial requests/s          : {trivial_rate:.1f}")
    print(f"  ratio sign-ons/s ÷ trivial/s: {ratio:.3f}")
    cost = sign_cpu / trivial_cpu
    print(f"  server CPU per sign-on      : {sign_cpu:.2f} ms = {cost:.1f}x a trivial request")
    for name, bound in (("half of before", HALF_OF_BEFORE), ("regression", REGRESSION_BOUND)):
        verdict = "meets" if cost <= bound else "MISSES"
        print(f"    target {name:<15}: <= {bound:.1f}x ({verdict})")
    print(
        f"  load average (1, 5, 15 min) : {load_average()} (other work on the machine skews rates)"
    )
    errors = len(trivial.errors) + len(signing.errors)
    print(f"  errors                      : {errors}")
    print(f"  integrity                   : {'OK' if not problems else 'FAILED'}")
    for problem in problems:
        print(f"    {problem}")
    if args.keep:
        print(f"  instance kept in {instance}")
    else:
        shutil.rmtree(instance, ignore_errors=True)
    return 1 if problems or errors else 0


if __name__ == "__main__":
    sys.exit(main())
