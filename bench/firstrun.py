"""Benchmark: a fresh clone to the printed result of `make run`, and a second run.

    python3 bench/firstrun.py [--cold] [--repeat 1]

Clones this repository's committed HEAD into a temporary folder, runs `make run` there (uv
installed into .uv/, the venv synced from uv.lock, then init, scan, remind, feed export and
deadlines), then `make run` again in the same clone. Each recipe line is timed through a
SHELL wrapper, so the breakdown comes from the same runs as the totals.

Caches are this machine's as they are (pip's and uv's; a developer's machine has them warm
after the first project); `--cold` gives uv an empty cache and pip no cache, so every package
is downloaded again. Floors measured in the same run: `git clone` alone, `python3 -c pass`
(a bare interpreter) and `ccm-tracker --help` (the command line starting, before any work;
make run starts it five times).

Each step shows its wall time and its CPU time (user + system): on a shared machine the wall
time waits for the cores, the CPU time is the work itself. Prints figures; asserts nothing. Targets (issue 13): first run <= 60 s, second run <= 10 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"first": 60.0, "second": 10.0}

# make runs every recipe line as `$(SHELL) -c 'line'`: this shell logs, for each line, its wall
# seconds, its CPU seconds (user + system, the line and its children) and the line itself.
TIMED_SHELL = r"""#!/bin/sh
cmd=$2
out=$(mktemp)
/usr/bin/time -f '%e %U %S' -o "$out" /bin/sh "$@"
rc=$?
set -- $(tail -n 1 "$out")
rm -f "$out"
printf '%s\t%s\t%s\n' "$1" "$(echo "$2 $3" | awk '{print $1 + $2}')" \
  "$(printf '%s' "$cmd" | head -c 300 | tr '\n\t' '  ')" >> "$FIRSTRUN_TIMINGS"
exit $rc
"""

Step = tuple[float, float, str]  # wall s, CPU s, the recipe line


def wall(command: list[str], **kwargs) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    subprocess.run(command, check=True, **kwargs)
    return time.perf_counter() - start


def clean_environment(cold: bool, cache: Path) -> dict[str, str]:
    """This environment without the tracker's and Prefect's settings (a new user has none)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CCM_", "PREFECT_", "VIRTUAL_ENV", "UV_"))}
    if cold:
        env["UV_CACHE_DIR"] = str(cache / "uv")
        env["PIP_NO_CACHE_DIR"] = "1"
    return env


def make_run(clone: Path, env: dict[str, str], shell: Path, log: Path) -> tuple[float, list[Step], str]:
    """`make run` in ``clone``: total wall, each recipe line's wall and CPU, the last lines
    printed."""
    log.write_text("")
    start = time.perf_counter()
    done = subprocess.run(["make", "--no-print-directory", "run", f"SHELL={shell}"], check=False,
                          cwd=clone, env={**env, "FIRSTRUN_TIMINGS": str(log)},
                          capture_output=True, text=True)
    total = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"make run failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    steps = []
    for line in log.read_text().splitlines():
        seconds, cpu, command = line.split("\t", 2)
        steps.append((float(seconds), float(cpu), command))
    tail = "\n".join(done.stdout.strip().splitlines()[-3:])
    return total, steps, tail


def short(command: str) -> str:
    """A recipe line as a person would name the step."""
    command = command.strip()
    if "ccm-tracker" in command:
        return "ccm-tracker " + command.split("ccm-tracker", 1)[1].strip()
    if " sync " in command:
        return "uv sync (runtime dependencies, from uv.lock)"
    if "pip" in command and "uv==" in command:
        return "install uv into .uv/ (pip)"
    if "venv --without-pip .uv" in command:
        return "python3 -m venv .uv"
    if "compileall" in command:
        return "compile our modules (compileall)"
    if command.startswith("touch"):
        return "touch stamp"
    if "lock --check" in command:
        return "uv lock --check"
    return command[:60]


def print_steps(title: str, total: float, steps: list[Step]) -> float:
    """Print the steps (wall and CPU seconds); return the CPU total."""
    merged: dict[str, list[float]] = {}
    for seconds, cpu, command in steps:
        if command.startswith(("echo", "#")) or command == "":
            continue
        wall_cpu = merged.setdefault(short(command), [0.0, 0.0])
        wall_cpu[0] += seconds
        wall_cpu[1] += cpu
    cpu_total = sum(c for _, c in merged.values())
    print(f"\n{title}: {total:6.1f} s wall, {cpu_total:5.1f} s CPU")
    for name, (seconds, cpu) in merged.items():
        print(f"  {seconds:6.2f} s  {cpu:5.2f} s CPU  {name}")
    return cpu_total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cold", action="store_true", help="empty uv cache, no pip cache")
    parser.add_argument("--repeat", type=int, default=1, help="fresh clones to run (medians)")
    args = parser.parse_args()
    if not Path("/usr/bin/time").exists():
        sys.exit("bench/firstrun.py needs GNU time (/usr/bin/time) for the CPU seconds of each step")

    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], check=False,
                           cwd=ROOT, capture_output=True, text=True).stdout.strip()
    print(f"commit {head[:12]}{' (uncommitted changes are not measured)' if dirty else ''}; "
          f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}; "
          f"{'cold caches' if args.cold else 'caches as they are on this machine'}")

    bare = statistics.median(wall([sys.executable, "-c", "pass"]) for _ in range(5))
    firsts, seconds, clones, helps = [], [], [], []
    first_cpu: list[float] = []
    second_cpu: list[float] = []
    for _ in range(args.repeat):
        work = Path(tempfile.mkdtemp(prefix="ccm-firstrun-"))
        try:
            shell = work / "timed-sh"
            shell.write_text(TIMED_SHELL)
            shell.chmod(0o755)
            env = clean_environment(args.cold, work / "cache")
            clone = work / "clone"
            start = time.perf_counter()
            subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(clone)],
                           check=True, env=env)
            subprocess.run(["git", "checkout", "--quiet", head], cwd=clone, check=True, env=env)
            clone_s = time.perf_counter() - start
            first, first_steps, tail = make_run(clone, env, shell, work / "t1")
            second, second_steps, _ = make_run(clone, env, shell, work / "t2")
            cli = str(clone / ".venv" / "bin" / "ccm-tracker")
            helps.append(statistics.median(
                wall([cli, "--help"], cwd=clone, env=env, capture_output=True) for _ in range(3)))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        clones.append(clone_s)
        firsts.append(clone_s + first)
        seconds.append(second)
        first_cpu.append(print_steps("first run: git clone + make run", clone_s + first,
                                     [(clone_s, 0.0, "git clone"), *first_steps]))
        second_cpu.append(print_steps("second run: make run", second, second_steps))
        print(f"\nlast lines printed:\n{tail}")

    first_m, second_m = statistics.median(firsts), statistics.median(seconds)
    print(f"\n{'':32}{'wall':>9}{'target':>9}{'':8}{'CPU':>7}")
    print(f"{'fresh clone to result':32}{first_m:8.1f}s{TARGETS['first']:8.0f}s"
          f"  {'met' if first_m <= TARGETS['first'] else 'MISSED':6}"
          f"{statistics.median(first_cpu):7.1f}s")
    print(f"{'second make run':32}{second_m:8.1f}s{TARGETS['second']:8.0f}s"
          f"  {'met' if second_m <= TARGETS['second'] else 'MISSED':6}"
          f"{statistics.median(second_cpu):7.1f}s")
    print(f"{'floor: git clone':32}{statistics.median(clones):8.2f}s")
    print(f"{'floor: python3 -c pass':32}{bare:8.3f}s  (x5 CLI processes = {5 * bare:.2f} s)")
    help_m = statistics.median(helps)
    print(f"{'floor: ccm-tracker --help':32}{help_m:8.2f}s  (x5 CLI processes = {5 * help_m:.1f} s:"
          " starting the command line, before any work)")


if __name__ == "__main__":
    main()
