"""A `dialplan cdr` job stopped by a real signal: no plausible partial file, no orphaned helper.

The input is 1,200,000 distinct (user, dial string) pairs, about 13 chunks and
half a minute of work on two cores; the test waits until the job has written a
chunk of output, then signals it. The job must still have many chunks to go by
then: it reads a few chunks ahead of the one it writes, so with only four or
five chunks a loaded machine could write them all within the test's reaction
time, and the signal would meet a finished job.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from normalizer.bulk.staging import UNFINISHED_SUFFIX

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

USERS = ["marcel.beauchamp@contoso.com", "emily.braun@contoso.com", "lidia.holloway@contoso.com"]
ROWS = 1_200_000  # all distinct: about 30 s of work on two cores; the job is stopped long before


# The job as a terminal starts it: a run under `nohup` (a CI script, say) inherits SIGHUP
# ignored, and the job rightly goes on after a hang-up then (`handle_stop_signals`).
_AS_FROM_A_TERMINAL = (
    "import signal; signal.signal(signal.SIGHUP, signal.SIG_DFL); signal.signal(signal.SIGTERM, signal.SIG_DFL); "
    "from normalizer.cli import entry_point; entry_point()"
)


def _rows() -> bytes:
    lines = ["call_id,caller,dialed"]
    lines += [f"{n},{USERS[n % 3]},0{(n * 7919) % 10**9:09d}" for n in range(ROWS)]
    return ("\n".join(lines) + "\n").encode()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text(encoding="ascii")
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _is_running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _wait_until(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture()
def running_job(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[subprocess.Popen[bytes], Path, list[int]]]:
    """A `dialplan cdr` job with two processes, its output pipes captured, stuck reading mid-input."""
    output_name = request.param
    source = tmp_path / "calls.csv"
    source.write_bytes(_rows())
    command = [
        sys.executable, "-c", _AS_FROM_A_TERMINAL,
        "cdr", str(source), "-o", str(tmp_path / output_name), "--summary", str(tmp_path / "summary.json"),
        "--dialed-column", "dialed", "--user-column", "caller", "--processes", "2",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=Path(__file__).parent.parent)
    helpers: list[int] = []  # filled by the test: killed here if a test failed with them alive
    try:
        yield process, tmp_path, helpers
    finally:
        for pid in [process.pid, *helpers]:
            if _is_running(pid):
                os.kill(pid, signal.SIGKILL)
        process.communicate(timeout=30)


def _written_rows(folder: Path) -> bool:
    """The job wrote at least one chunk of output somewhere in `folder`."""
    return any(path.stat().st_size > 1_000_000 for path in folder.iterdir() if path.name != "calls.csv")


@pytest.mark.parametrize("running_job", ["out.csv"], indirect=True)
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_a_stopped_job_leaves_no_file_and_no_helper(
    running_job: tuple[subprocess.Popen[bytes], Path, list[int]], signum: signal.Signals
) -> None:
    process, folder, helpers = running_job
    assert _wait_until(lambda: _written_rows(folder), 60), "the job never wrote output"
    helpers += _children(process.pid)
    assert helpers, "the job started no helper process"
    process.send_signal(signum)
    # The caller reading the job's pipes is not kept waiting by an orphaned helper.
    _, err = process.communicate(timeout=20)
    assert process.returncode == 128 + signum, err.decode()
    assert err.decode().strip().splitlines()[-1] == f"dialplan: stopped by {signum.name}"
    assert sorted(path.name for path in folder.iterdir()) == ["calls.csv"]  # no output, no summary, no temporary
    assert _wait_until(lambda: not any(_is_running(pid) for pid in helpers), 10)


@pytest.mark.parametrize("running_job", ["out.parquet"], indirect=True)
def test_a_killed_job_leaves_only_a_file_named_unfinished_and_its_helper_dies(
    running_job: tuple[subprocess.Popen[bytes], Path, list[int]],
) -> None:
    process, folder, helpers = running_job
    assert _wait_until(lambda: _written_rows(folder), 60), "the job never wrote output"
    helpers += _children(process.pid)
    assert helpers
    process.kill()  # SIGKILL: nothing in the job runs any more
    process.communicate(timeout=20)
    assert _wait_until(lambda: not any(_is_running(pid) for pid in helpers), 10), "a helper outlived its job"
    names = sorted(path.name for path in folder.iterdir())
    assert "out.parquet" not in names and "summary.json" not in names
    leftovers = [name for name in names if name != "calls.csv"]
    assert leftovers and all(name.startswith(".") and name.endswith(UNFINISHED_SUFFIX) for name in leftovers)
    with pytest.raises(Exception, match="(?i)parquet|magic|footer"):
        pq.read_metadata(folder / next(name for name in leftovers if "parquet" in name))
