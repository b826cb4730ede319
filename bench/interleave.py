#!/usr/bin/env python3
"""Times commands in interleaved rounds, for A/B decisions on a noisy shared machine.

    bench/interleave.py ROUNDS 'command A' 'command B' [...]

hyperfine runs all runs of one command, then all of the next: when the machine's speed drifts
over a minute (it does on a shared 2-core VM), that drift lands on one side. Here every round
runs each command once, rotating which goes first, and the report gives each command's median
and mean wall time and the median user+system CPU of the command itself (its children
included, a database server's processes not).
"""
import resource
import statistics
import subprocess
import sys
import time


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rounds = int(sys.argv[1])
    cmds = sys.argv[2:]
    wall = [[] for _ in cmds]
    cpu = [[] for _ in cmds]
    system = [[] for _ in cmds]
    for r in range(rounds):
        order = list(range(len(cmds)))
        order = order[r % len(cmds):] + order[: r % len(cmds)]
        for i in order:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            done = subprocess.run(cmds[i], shell=True, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
            elapsed = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode not in (0, 1):
                print(f"exit {done.returncode}: {cmds[i]}", file=sys.stderr)
                return 1
            wall[i].append(elapsed)
            sys_s = after.ru_stime - before.ru_stime
            system[i].append(sys_s)
            cpu[i].append(after.ru_utime - before.ru_utime + sys_s)
    for i, c in enumerate(cmds):
        w = wall[i]
        print(f"{c}\n    wall median {statistics.median(w):.3f} s, mean {statistics.mean(w):.3f} s "
              f"± {statistics.stdev(w) if len(w) > 1 else 0:.3f}, min {min(w):.3f}, max {max(w):.3f} "
              f"({len(w)} runs); own CPU median {statistics.median(cpu[i]):.3f} s "
              f"(system {statistics.median(system[i]):.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
