#!/usr/bin/env python3
"""Short commands timed in alternation: the median wall time, CPU time and minor page faults of
each, over N rounds in which every command runs once in turn (so a drifting machine drifts them
all alike). For start-up work, where one call is milliseconds and `./run.sh bench` is too coarse.

    tools/alternate-calls.py N 'CMD A' 'CMD B' ...

Each command is split like a shell would (no pipes or redirections); its standard output goes to
/dev/null. CPU and page faults come from wait4's rusage of the command.
"""

import os
import shlex
import statistics
import sys
import time


def main(argv: list[str]) -> None:
    if len(argv) < 2 or not argv[0].isdigit():
        raise SystemExit(__doc__)
    rounds, commands = int(argv[0]), argv[1:]
    samples = {c: [] for c in commands}
    for _ in range(rounds):
        for c in commands:
            args = shlex.split(c)
            start = time.perf_counter()
            pid = os.posix_spawnp(args[0], args, os.environ,
                                  file_actions=[(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)])
            _, status, usage = os.wait4(pid, 0)
            wall = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(f"failed ({os.waitstatus_to_exitcode(status)}): {c}")
            samples[c].append((wall * 1000, (usage.ru_utime + usage.ru_stime) * 1000, usage.ru_minflt))
    for c in commands:
        s = samples[c]
        print(f"{statistics.median(x[0] for x in s):7.1f} ms wall {statistics.median(x[1] for x in s):7.1f} ms cpu "
              f"{statistics.median(x[2] for x in s):6.0f} faults  {c}")


if __name__ == "__main__":
    main(sys.argv[1:])
