"""The driver of scripts/bench-gateways (which builds the binary and finds the PostgreSQL
server): `strata bench` against the embedded redb store, one gateway over PostgreSQL without
nginx, and 1..N gateways over one PostgreSQL database and one data directory behind nginx.

Each run starts every setup fresh (a new data directory and database), runs the benchmarks
against it and stops it; the setups take turns within a run, so drifting load on a shared
machine falls on all of them alike. Prints each run's figures, then the medians as a
markdown table with their ratios to one gateway behind nginx and to redb.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "interop"))

from gateways import (Database, GatewaySetupError, Nginx, StartError, start_strata,  # noqa: E402
                      stop_gateways)

ACCESS_KEY = "STRATABENCHGATEWAYS1"
SECRET_KEY = "StrataBenchGatewaysSecretKey0123456789ab"


@dataclass
class Setup:
    label: str
    gateways: int  # 0: the embedded redb store, one server
    nginx: bool


@dataclass
class Bench:
    label: str
    args: list[str]
    op: str
    figure: str  # a key of the operation's JSON report, or a latency ("latency_ms.p50")
    higher_is_better: bool = True


@dataclass
class Running:
    endpoint: str
    gateways: list = field(default_factory=list)
    proxy: Nginx | None = None
    database: Database | None = None

    def stop(self) -> list[str]:
        if self.proxy is not None:
            self.proxy.stop()
        problems = stop_gateways(self.gateways)
        if self.database is not None:
            self.database.drop()
        return problems


def benches(duration: str, concurrency: int) -> list[Bench]:
    c = str(concurrency)
    return [
        Bench(f"PUT 4 KiB, c={c} (ops/s)",
              ["--mode", "put", "--size", "4KiB", "-c", c, "--duration", duration],
              "put", "ops_per_sec"),
        Bench(f"PUT 4 KiB, c={c}, p50 (ms)",
              ["--mode", "put", "--size", "4KiB", "-c", c, "--duration", duration],
              "put", "latency_ms.p50", higher_is_better=False),
        Bench(f"GET 4 KiB, c={c} (ops/s)",
              ["--mode", "get", "--size", "4KiB", "-c", c, "--duration", duration,
               "--objects", "1000"],
              "get", "ops_per_sec"),
        Bench("multi-delete, 1000 keys, c=1 (keys/s)",
              ["--mode", "multi-delete", "--batch-size", "1000", "-c", "1", "--count", "10"],
              "multi-delete", "keys_per_sec"),
    ]


def start(binary: Path, setup: Setup, pg: str, work: Path) -> Running:
    data = work / "data"
    common = ["--data-dir", str(data), "--listen", "127.0.0.1:0", "--admin-listen", "off",
              "--request-log", "off", "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY]
    if setup.gateways == 0:
        g = start_strata(binary, common, "redb", work / "redb.stderr.log")
        return Running(g.endpoint, [g])
    running = Running("", database=Database.create(pg))
    try:
        for i in range(1, setup.gateways + 1):
            name = f"gw{i}"
            running.gateways.append(start_strata(
                binary, [*common, "--metadata", running.database.url, "--gateway-name", name],
                name, work / f"{name}.stderr.log"))
        if setup.nginx:
            running.proxy = Nginx(work / "nginx",
                                  [g.endpoint.removeprefix("http://") for g in running.gateways],
                                  workers=2, access_log=False)
            running.endpoint = running.proxy.endpoint
        else:
            running.endpoint = running.gateways[0].endpoint
    except (StartError, GatewaySetupError):
        running.stop()
        raise
    return running


def figure(report: dict, bench: Bench) -> tuple[float, int]:
    """The bench's figure and how many of its operations failed."""
    (op,) = [o for o in report["operations"] if o["op"] == bench.op]
    value = op
    for part in bench.figure.split("."):
        value = value[part]
    return float(value), int(op["errors"])


def run_bench(binary: Path, endpoint: str, bench_args: list[str], bucket: str) -> dict:
    env = dict(os.environ, STRATA_ACCESS_KEY=ACCESS_KEY, STRATA_SECRET_KEY=SECRET_KEY)
    p = subprocess.run([str(binary), "bench", bucket, "--endpoint", endpoint, "--json", "-q",
                        *bench_args], env=env, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(f"strata bench {' '.join(bench_args)} failed ({p.returncode}):\n"
                           f"{p.stderr[-2000:]}")
    report = json.loads(p.stdout)
    report["stderr"] = p.stderr.strip()  # the first error of each operation that had any
    return report


def perf_record(pid: int, out: Path) -> subprocess.Popen:
    return subprocess.Popen(["perf", "record", "-g", "-p", str(pid), "-o", str(out)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def perf_report(data: Path) -> str:
    """The top entries of a profile: by own time, then by time including callees."""
    out = []
    for title, mode, limit in (("self", "--no-children", "1"), ("with callees", "--children", "4")):
        p = subprocess.run(["perf", "report", "-i", str(data), mode, "--stdio", "--percent-limit",
                            limit, "-g", "none", "--sort", "dso,symbol"],
                           capture_output=True, text=True, timeout=600)
        # Each line ends in padded columns perf leaves empty ("-"): dropped.
        lines = [re.sub(r"(\s+-)*\s*$", "", line) for line in p.stdout.splitlines()
                 if line.strip() and not line.startswith("#")]
        out += [f"### {title}", *lines[:30], ""]
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bin", type=Path, required=True)
    ap.add_argument("--pg", required=True, help="postgres://USER@HOST:PORT/")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", default="10s")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--gateways", default="1,2,3", help="gateway counts behind nginx")
    ap.add_argument("--profile", type=Path, help="perf record one gateway's PUTs into DIR")
    args = ap.parse_args()

    counts = [int(n) for n in args.gateways.split(",")]
    setups = [Setup("redb", 0, False), Setup("PG, 1 gw, direct", 1, False)]
    setups += [Setup(f"PG, {n} gw, nginx", n, True) for n in counts]
    reference = next((s for s in setups if s.gateways == 1 and s.nginx), None)
    suite = benches(args.duration, args.concurrency)
    results: dict[str, dict[str, list[float]]] = {s.label: {b.label: [] for b in suite}
                                                  for s in setups}
    print(f"# {os.cpu_count()} CPUs; load average at start: {os.getloadavg()}", flush=True)
    profiled = False
    failures: list[str] = []
    for run in range(1, args.runs + 1):
        for setup in setups:
            work = Path(tempfile.mkdtemp(prefix="strata-bench-gw-"))
            running = start(args.bin, setup, args.pg, work)
            keep = False
            try:
                reports: dict[tuple, dict] = {}
                for bench in suite:
                    key = tuple(bench.args)
                    if key not in reports:
                        profile = None
                        if (args.profile and not profiled and setup is reference
                                and bench.op == "put"):
                            args.profile.mkdir(parents=True, exist_ok=True)
                            profile = perf_record(running.gateways[0].process.pid,
                                                  args.profile / "perf.data")
                            time.sleep(1)  # perf attaches
                        bucket = f"bench-gw-{bench.op}-{run}-{time.time_ns() % 10**9}"
                        reports[key] = run_bench(args.bin, running.endpoint, bench.args, bucket)
                        if profile is not None:
                            profile.send_signal(signal.SIGINT)
                            profile.wait(timeout=120)
                            profiled = True
                    value, errors = figure(reports[key], bench)
                    results[setup.label][bench.label].append(value)
                    if errors and bench.label == next(b.label for b in suite
                                                      if tuple(b.args) == key):
                        keep = True
                        failures.append(f"run {run}, {setup.label}, {bench.label}: {errors} "
                                        f"errors ({reports[key]['stderr'][:300]}); logs: {work}")
                        print(failures[-1], file=sys.stderr, flush=True)
            finally:
                problems = running.stop()
                if not keep:
                    shutil.rmtree(work, ignore_errors=True)
            if problems:
                print("\n".join(problems), file=sys.stderr)
                return 1
            shown = ", ".join(f"{b.label}: {results[setup.label][b.label][-1]:,.1f}"
                              for b in suite)
            print(f"run {run}, {setup.label}: {shown} (load {os.getloadavg()[0]:.1f})",
                  flush=True)

    med = {s: {b: statistics.median(v) for b, v in bs.items()} for s, bs in results.items()}
    print(f"\n## Medians of {args.runs} (load average at end: {os.getloadavg()})\n")
    print("| case | " + " | ".join(s.label for s in setups) + " |")
    print("|---" * (len(setups) + 1) + "|")
    for b in suite:
        print(f"| {b.label} | " + " | ".join(f"{med[s.label][b.label]:,.1f}" for s in setups)
              + " |")
    for base in [s for s in (reference, setups[0]) if s is not None]:
        print(f"\n## Ratios to {base.label} (figure / its figure)\n")
        print("| case | " + " | ".join(s.label for s in setups) + " |")
        print("|---" * (len(setups) + 1) + "|")
        for b in suite:
            ref = med[base.label][b.label]
            print(f"| {b.label} | " + " | ".join(
                f"{med[s.label][b.label] / ref:.2f}" if ref else "-" for s in setups) + " |")
    if failures:
        print("\nOperations failed (their figures count only the successful ones):")
        print("\n".join(f"- {f}" for f in failures))
    if args.profile and profiled:
        print(f"\n## perf: one gateway (behind nginx) during the PUTs ({args.profile}/perf.data)\n")
        print(perf_report(args.profile / "perf.data"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
