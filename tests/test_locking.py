"""Two runs for one school never hold the lock at once."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from ilt_bot.locking import LockBusy, school_lock


def test_a_second_holder_is_refused_with_a_clear_message(tmp_path):
    with school_lock("cedar", tmp_path):
        busy = pytest.raises(LockBusy, match="another ilt-bot run for school 'cedar' is in progress \\(pid")
        with busy, school_lock("cedar", tmp_path):
            pass
        with school_lock("maple", tmp_path):  # other schools are independent
            pass
    with school_lock("cedar", tmp_path):  # released on exit
        pass


def test_the_lock_holds_across_processes(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from ilt_bot.locking import school_lock
            with school_lock("cedar", Path({str(tmp_path)!r})):
                print("held", flush=True)
                sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockBusy), school_lock("cedar", tmp_path, wait_seconds=0.3):
            pass
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(10)
    with school_lock("cedar", tmp_path, wait_seconds=1):
        pass
