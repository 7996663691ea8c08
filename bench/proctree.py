"""Run a command in its own process group and sample the memory of the whole group from /proc."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROC = Path("/proc")


@dataclass
class TreeRun:
    """What one sampled run of a command measured.

    ``peaks_mb``: each process of the group (the command itself first, then its helpers) with
    its peak resident set (``VmHWM``, read until it exits); ``group_peak_mb``: the largest sum of
    the group's resident sets at one sample (helpers that run at the same time add up);
    ``cpu_s``: user + system seconds of the command and the children it waited for (``wait4``).
    """

    returncode: int
    wall_s: float
    cpu_s: float
    peaks_mb: list[dict[str, Any]] = field(default_factory=list)
    group_peak_mb: float = 0.0
    samples: int = 0
    stderr_tail: str = ""

    def summary(self) -> dict[str, Any]:
        """The figures as plain JSON values."""
        helpers = [p["peak_mb"] for p in self.peaks_mb if p["role"] == "helper"]
        parent = next((p["peak_mb"] for p in self.peaks_mb if p["role"] == "parent"), 0.0)
        return {
            "wall_s": round(self.wall_s, 3),
            "cpu_s": round(self.cpu_s, 3),
            "group_peak_mb": round(self.group_peak_mb, 1),
            "largest_process_mb": round(max([parent, *helpers]), 1),
            "parent_peak_mb": round(parent, 1),
            "helper_peaks_mb": [round(h, 1) for h in helpers],
            "samples": self.samples,
        }


def _status(pid: int) -> tuple[float, float] | None:
    """(VmRSS, VmHWM) of a process in MiB, or None once it is gone."""
    try:
        text = (PROC / str(pid) / "status").read_text()
    except OSError:
        return None
    values = {}
    for line in text.splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line[:5]] = int(line.split()[1]) / 1024
    if "VmRSS" not in values:  # a zombie: no memory left
        return None
    return values["VmRSS"], values.get("VmHWM", values["VmRSS"])


def group_members(pgid: int) -> list[int]:
    """The processes whose process group is ``pgid`` (their pid, from /proc/*/stat)."""
    members = []
    for entry in os.listdir(PROC):
        if not entry.isdigit():
            continue
        try:
            stat = (PROC / entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[2]) == pgid:
            members.append(int(entry))
    return members


def own_rss_mb() -> dict[str, float]:
    """This process's resident set now and at its peak, in MiB (from /proc/self/status)."""
    status = _status(os.getpid())
    return {"rss_mb": round(status[0], 1), "peak_mb": round(status[1], 1)} if status else {}


def run_sampled(
    cmd: Sequence[str],
    *,
    cwd: Path,
    interval: float = 0.05,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
    show_stderr: bool = False,
) -> TreeRun:
    """Run ``cmd`` in a new session, sampling its process group every ``interval`` seconds.

    Args:
        cmd: The command.
        cwd: Its working directory.
        interval: Seconds between two samples of /proc.
        timeout: Kill the whole group after this many seconds (returncode -9).
        env: Its environment (default: this one's).
        show_stderr: Let its stderr through (else the last lines are kept in ``stderr_tail``).

    Returns:
        The run's figures.
    """
    with tempfile.TemporaryFile(mode="w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=None if show_stderr else err,
            start_new_session=True,
        )
        sampler = _Sampler(proc.pid, interval, None if timeout is None else started + timeout)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        sampler.stop.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        _kill_leftovers(proc.pid)
        err.seek(0)
        tail = "\n".join(err.read().strip().splitlines()[-5:])
    # Not ru_maxrss: Linux carries the peak of the process that started a command into it.
    ordered = sorted(sampler.peaks.items(), key=lambda kv: (kv[0] != proc.pid, kv[0]))
    rows = [{"role": "parent" if pid == proc.pid else "helper", "peak_mb": mb} for pid, mb in ordered]
    cpu = usage.ru_utime + usage.ru_stime
    return TreeRun(proc.returncode, wall, cpu, rows, sampler.group_peak, sampler.samples, tail)


class _Sampler(threading.Thread):
    """Reads the memory of a process group from /proc until told to stop (or kills it at ``deadline``)."""

    def __init__(self, pgid: int, interval: float, deadline: float | None) -> None:
        super().__init__(daemon=True)
        self.pgid, self.interval, self.deadline = pgid, interval, deadline
        self.stop = threading.Event()
        self.peaks: dict[int, float] = {}
        self.group_peak, self.samples = 0.0, 0

    def run(self) -> None:
        while not self.stop.is_set():
            total = 0.0
            for pid in group_members(self.pgid):
                mem = _status(pid)
                if mem is not None:
                    total += mem[0]
                    self.peaks[pid] = max(self.peaks.get(pid, 0.0), mem[1])
            self.group_peak, self.samples = max(self.group_peak, total), self.samples + 1
            if self.deadline is not None and time.perf_counter() > self.deadline:
                _kill_leftovers(self.pgid)
            self.stop.wait(self.interval)


def _kill_leftovers(pgid: int) -> None:
    """End what the command left running in its group (helpers of a killed command)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def cpu_seconds() -> float:
    """User + system seconds of this process and of the children it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
