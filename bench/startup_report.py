"""bench/startup_report.py: everything bench/startup.py says, on stderr and on stdout.

Progress and errors go to stderr (say, fail) so that stdout, which bench/startup.sh keeps in
<work-dir>/startup.txt, holds only the results: the per-round table, the summary and the RESULT line.
The table and the RESULT line are the benchmark's output format (docs/BENCHMARKS.md's figures come from
them), so they are kept here, in one place, apart from the measuring that fills them.
"""

import json
import statistics
import sys

# The name in front of every stderr line, and of every environment and container the bench makes.
PREFIX = "bench-startup"


def fail(message):
    print(f"{PREFIX}: error: {message}", file=sys.stderr)
    sys.exit(1)


def say(message):
    print(f"{PREFIX}: {message}", file=sys.stderr, flush=True)


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil
    return ordered[int(rank) - 1]


def describe(values):
    return {
        "median": statistics.median(values),
        "p90": percentile(values, 90),
        "min": min(values),
        "max": max(values),
    }


def ms(seconds):
    return f"{seconds * 1000:.0f}"


def round_header(engine_api):
    """The per-round table's header; the engine API column only when it is timed."""
    return f"{'round':>5} {'order':>6} {'dcloud_ms':>9} {'post_ms':>7} {'srv_placed':>10} {'srv_starting':>12} " \
           f"{'srv_running':>11} {'docker_run_ms':>13}" + (f" {'engine_api_ms':>13}" if engine_api else "")


def round_line(r, dcloud_first, total, post, steps, docker, engine):
    """One round's row: seconds measured here, server-side steps (history_breakdown) in ms, engine None if not timed."""

    def step_ms(name):
        return f"{steps[name]:.0f}" if name in steps else "-"

    line = f"{r:>5} {'D,d' if dcloud_first else 'd,D':>6} {ms(total):>9} {ms(post):>7} {step_ms('PLACED'):>10} " \
           f"{step_ms('STARTING'):>12} {step_ms('RUNNING'):>11} {ms(docker):>13}"
    if engine is not None:
        line += f" {ms(engine):>13}"
    return line


def print_summary(args, image, dcloud_s, post_s, server_running, docker_s, engine_s):
    """The statistics of every side, the ratio against its goal, and the machine-readable RESULT line."""
    print()
    print("(srv_* = server-side ms from REQUESTED to that status, from the environment's history; "
          "order D = DCloud first, d = docker first)")
    print(f"{'':<28} {'median':>8} {'p90':>8} {'min':>8} {'max':>8}   (ms, {args.rounds} rounds)")
    rows = [("dcloud POST -> RUNNING", dcloud_s), ("  of which POST answered", post_s),
            ("  server REQUESTED->RUNNING", server_running), ("docker run -d", docker_s)]
    if engine_s:
        rows.append(("engine API create+start", engine_s))
    for label, values in rows:
        if values:
            d = describe(values)
            print(f"{label:<28} {ms(d['median']):>8} {ms(d['p90']):>8} {ms(d['min']):>8} {ms(d['max']):>8}")
    ratio = statistics.median(dcloud_s) / statistics.median(docker_s)
    verdict = "MET" if ratio <= args.target else "NOT MET"
    print(f"RATIO median(dcloud)/median(docker run) = {ratio:.2f} (goal <= {args.target:g}: {verdict})")
    if engine_s:
        print(f"ratio median(dcloud)/median(engine API) = {statistics.median(dcloud_s) / statistics.median(engine_s):.2f} "
              "(information)")
    summary = {
        "image": image, "rounds": args.rounds, "follow": args.follow,
        "dcloud_ms": [round(v * 1000, 1) for v in dcloud_s],
        "docker_run_ms": [round(v * 1000, 1) for v in docker_s],
        "engine_api_ms": [round(v * 1000, 1) for v in engine_s],
        "ratio": round(ratio, 3),
    }
    print("RESULT " + json.dumps(summary, separators=(",", ":")))
