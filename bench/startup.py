#!/usr/bin/env python3
"""Start overhead of DCloud against raw Docker (run by bench/startup.sh; Python 3 stdlib only).

For one image and one set of limits it measures, interleaved round by round:
  dcloud     the time from sending POST /api/v1/environments until the environment is RUNNING,
             seen by following GET /api/v1/environments/{id}/events (SSE) or by polling
             GET /api/v1/environments/{id} (--follow poll);
  docker run the time `docker run -d` (same image, same limits, the same idle command) takes to
             return, i.e. until the container has started;
  engine API (information) the same container made with two Docker Engine API calls (create,
             start) over the unix socket, without the docker CLI's own start-up cost.
The image is the one DCloud uses for the spec: a warm-up create builds it (from the catalog) if it
is not cached yet, and its tag is read from the environment (GET .../{id} "image"). The limits of
`docker run` are read from DCloud's own container of that warm-up (docker inspect: CPUs, memory,
swap, pids, init, security options, capabilities), so both sides start the same container.

Between rounds, outside the timed part, the environment is deleted (until DELETED and its container
gone) and the raw containers are removed. The order within a round alternates (odd rounds DCloud
first, even rounds Docker first) so that neither side always runs on a "warmer" engine.

It prints each round, then median, p90, min and max of each side and the ratio
median(dcloud) / median(docker run) (target <= 1.1, issue 16).
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time

PREFIX = "bench-startup"


def fail(message):
    print(f"{PREFIX}: error: {message}", file=sys.stderr)
    sys.exit(1)


def say(message):
    print(f"{PREFIX}: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- DCloud API


# Every API request is a user's: bench/startup.sh signs in and exports the token.
AUTHORIZATION = {"Authorization": "Bearer " + os.environ["DCLOUD_TOKEN"]} if os.environ.get("DCLOUD_TOKEN") else {}


class Api:
    """A keep-alive HTTP/1.1 connection to DCloud's API on 127.0.0.1."""

    def __init__(self, port, timeout=30):
        self.port = port
        self.timeout = timeout
        self.conn = None

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        return self.conn

    def call(self, method, path, body=None):
        """Returns (status, parsed JSON or raw text). Retries once on a dropped keep-alive connection."""
        headers = {"Accept": "application/json", **AUTHORIZATION}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, "/api/v1" + path, body=data, headers=headers)
                response = conn.getresponse()
                raw = response.read()
                break
            except (http.client.HTTPException, ConnectionError, socket.timeout) as e:
                conn.close()
                self.conn = None
                if attempt == 2:
                    fail(f"{method} /api/v1{path}: {e!r}")
        text = raw.decode("utf-8", "replace")
        try:
            return response.status, json.loads(text) if text else None
        except ValueError:
            return response.status, text


def sse_until_running(port, env_id, deadline):
    """Follows the environment's SSE stream until a status event says RUNNING (returns the time it was
    read) or a final status (fails). Each event's data is JSON with a "status" field."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=max(1.0, deadline - time.monotonic()))
    try:
        conn.request("GET", f"/api/v1/environments/{env_id}/events", headers={"Accept": "text/event-stream", **AUTHORIZATION})
        response = conn.getresponse()
        if response.status != 200:
            fail(f"GET .../{env_id}/events answered {response.status}: {response.read()[:300]!r}")
        event_type, data_lines = None, []
        while True:
            if time.monotonic() > deadline:
                fail(f"environment {env_id} not RUNNING before the deadline (SSE)")
            line = response.fp.readline()
            if not line:
                fail(f"the SSE stream of {env_id} ended before RUNNING")
            line = line.decode("utf-8", "replace").rstrip("\r\n")
            if line == "":
                if data_lines and (event_type in (None, "status")):
                    try:
                        status = json.loads("\n".join(data_lines)).get("status")
                    except ValueError:
                        status = None
                    if status == "RUNNING":
                        return time.monotonic()
                    if status in ("FAILED", "LOST", "DELETED", "STOPPED"):
                        fail(f"environment {env_id} became {status} instead of RUNNING")
                event_type, data_lines = None, []
            elif line.startswith("data:"):
                data_lines.append(line[5:].lstrip(" ") if line.startswith("data: ") else line[5:])
            elif line.startswith("event:"):
                event_type = line[6:].strip()
    finally:
        conn.close()


def poll_until_running(api, env_id, deadline, interval):
    while True:
        status, body = api.call("GET", f"/environments/{env_id}")
        now = time.monotonic()
        if status == 200 and isinstance(body, dict):
            if body.get("status") == "RUNNING":
                return now
            if body.get("status") in ("FAILED", "LOST", "DELETED", "STOPPED"):
                fail(f"environment {env_id} became {body.get('status')}: {body.get('reason')}")
        if now > deadline:
            fail(f"environment {env_id} not RUNNING before the deadline (polling)")
        time.sleep(interval)


def history_breakdown(view):
    """Server-side milliseconds from REQUESTED to each later step of the first run (from history[])."""
    from datetime import datetime

    def parse(at):
        # 2026-11-23T18:23:06.895818198Z -> microseconds are enough
        at = at.rstrip("Z")
        if "." in at:
            head, frac = at.split(".")
            at = head + "." + frac[:6]
        return datetime.fromisoformat(at)

    steps = {}
    start = None
    for entry in view.get("history") or []:
        status = entry.get("status")
        if status == "REQUESTED" and start is None:
            start = parse(entry["at"])
        elif start is not None and status not in steps:
            steps[status] = (parse(entry["at"]) - start).total_seconds() * 1000
        if status == "RUNNING":
            break
    return steps


def create_and_time(api, args, name):
    """One DCloud create, timed from just before the POST until RUNNING is seen. Returns
    (total_s, post_s, env_id, view)."""
    spec = {
        "env-name": name,
        "os": args.os,
        "resources": {"cpu": args.cpu, "ram": args.ram, "gpu": "0"},
    }
    deadline_s = args.build_timeout if name.endswith("-warmup") else args.round_timeout
    t0 = time.monotonic()
    status, body = api.call("POST", "/environments", spec)
    t_post = time.monotonic()
    if status != 202 or not isinstance(body, dict) or "id" not in body:
        fail(f"POST /environments answered {status}: {str(body)[:500]}")
    env_id = body["id"]
    deadline = t0 + deadline_s
    if args.follow == "sse":
        t1 = sse_until_running(args.http_port, env_id, deadline)
    else:
        t1 = poll_until_running(api, env_id, deadline, args.poll_interval / 1000.0)
    status, view = api.call("GET", f"/environments/{env_id}")
    if status != 200:
        fail(f"GET /environments/{env_id} answered {status}: {str(view)[:300]}")
    return t1 - t0, t_post - t0, env_id, view


def delete_and_wait(api, env_id, timeout=60):
    """Deletes an environment and waits until it is DELETED and its container gone (not timed)."""
    status, body = api.call("DELETE", f"/environments/{env_id}")
    if status not in (200, 202, 204, 404):
        fail(f"DELETE /environments/{env_id} answered {status}: {str(body)[:300]}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, view = api.call("GET", f"/environments/{env_id}")
        gone = status == 404 or (isinstance(view, dict) and view.get("status") == "DELETED")
        if gone and not docker_ids(f"label=dcloud.env={env_id}"):
            return
        time.sleep(0.1)
    say(f"warning: environment {env_id} not deleted within {timeout} s; its container is removed by force")
    for cid in docker_ids(f"label=dcloud.env={env_id}"):
        subprocess.run(["docker", "rm", "-f", cid], capture_output=True)


# --------------------------------------------------------------------------- Docker


def docker_ids(filter_expr):
    out = subprocess.run(["docker", "ps", "-aq", "--filter", filter_expr], capture_output=True, text=True)
    return out.stdout.split()


def docker_inspect(container_id):
    out = subprocess.run(["docker", "inspect", container_id], capture_output=True, text=True)
    if out.returncode != 0:
        fail(f"docker inspect {container_id}: {out.stderr.strip()}")
    return json.loads(out.stdout)[0]


def same_limits_as(container, network):
    """docker run flags and an Engine API HostConfig reproducing DCloud's container's limits (and, with
    network "same", its network: DCloud puts each tenant's containers on the tenant's own bridge network,
    which the engine takes longer to attach than its default bridge)."""
    host = container["HostConfig"]
    flags, host_config = [], {}
    mode = host.get("NetworkMode")
    if network == "same" and mode and mode != "default":
        flags += ["--network", mode]
        host_config["NetworkMode"] = mode
    nano = host.get("NanoCpus") or 0
    if nano:
        flags += ["--cpus", f"{nano / 1e9:g}"]
        host_config["NanoCpus"] = nano
    memory = host.get("Memory") or 0
    if memory:
        flags += ["--memory", f"{memory}b"]
        host_config["Memory"] = memory
    swap = host.get("MemorySwap") or 0
    if swap:
        flags += ["--memory-swap", f"{swap}b"]
        host_config["MemorySwap"] = swap
    pids = host.get("PidsLimit") or 0
    if pids:
        flags += ["--pids-limit", str(pids)]
        host_config["PidsLimit"] = pids
    if host.get("Init"):
        flags += ["--init"]
        host_config["Init"] = True
    for opt in host.get("SecurityOpt") or []:
        flags += ["--security-opt", opt]
    if host.get("SecurityOpt"):
        host_config["SecurityOpt"] = host["SecurityOpt"]
    for cap in host.get("CapDrop") or []:
        flags += ["--cap-drop", cap]
    for cap in host.get("CapAdd") or []:
        flags += ["--cap-add", cap]
    if host.get("CapDrop"):
        host_config["CapDrop"] = host["CapDrop"]
    if host.get("CapAdd"):
        host_config["CapAdd"] = host["CapAdd"]
    if host.get("Devices") or host.get("DeviceRequests") or host.get("PortBindings") or host.get("Binds"):
        say("note: DCloud's container also has devices, ports or volumes; docker run does not copy them")
    return flags, host_config


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=60):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


def engine_call(conn, method, path, body=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    conn.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    return response.status, raw


def engine_run(socket_path, image, command, host_config, labels, name):
    """create + start through the Engine API (one fresh connection, like the CLI). Returns seconds."""
    conn = UnixHTTPConnection(socket_path)
    try:
        t0 = time.monotonic()
        status, raw = engine_call(conn, "POST", f"/containers/create?name={name}",
                                  {"Image": image, "Cmd": command, "Labels": labels, "HostConfig": host_config})
        if status != 201:
            fail(f"engine API create answered {status}: {raw[:300]!r}")
        cid = json.loads(raw)["Id"]
        status, raw = engine_call(conn, "POST", f"/containers/{cid}/start")
        t1 = time.monotonic()
        if status not in (204, 304):
            fail(f"engine API start answered {status}: {raw[:300]!r}")
        return t1 - t0
    finally:
        conn.close()


def docker_run(image, command, flags, label, name):
    argv = ["docker", "run", "-d", "--name", name, "--label", label] + flags + [image] + command
    t0 = time.monotonic()
    out = subprocess.run(argv, capture_output=True, text=True)
    t1 = time.monotonic()
    if out.returncode != 0:
        fail(f"{' '.join(argv)} failed: {out.stderr.strip()}")
    return t1 - t0, argv


# --------------------------------------------------------------------------- statistics


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


# --------------------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description="DCloud start overhead against docker run (see bench/startup.sh)")
    parser.add_argument("--http-port", type=int, required=True, help="port of the bench's DCloud API on 127.0.0.1")
    parser.add_argument("--node-name", required=True, help="that DCloud's node id (label dcloud.node)")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--warm-creates", type=int, default=20,
                        help="untimed creates (each deleted) after the image warm-up, so the timed rounds meet a "
                             "DCloud whose create path is compiled by the JIT, as a server that has been running; "
                             "0 times a cold JVM")
    parser.add_argument("--os", default="debian", help="os of the environment (a catalog entry)")
    parser.add_argument("--cpu", default="0.5")
    parser.add_argument("--ram", default="256M")
    parser.add_argument("--follow", choices=["sse", "poll"], default="sse")
    parser.add_argument("--poll-interval", type=float, default=5, help="ms between GETs with --follow poll")
    parser.add_argument("--build-timeout", type=float, default=1800, help="s the warm-up (image build) may take")
    parser.add_argument("--round-timeout", type=float, default=120, help="s one timed create may take")
    parser.add_argument("--pause", type=float, default=0.5, help="s of quiet before each timed operation")
    parser.add_argument("--engine-api", choices=["on", "off"], default="on",
                        help="also time create+start through the Engine API (information)")
    parser.add_argument("--docker-socket", default="/var/run/docker.sock")
    parser.add_argument("--run-id", default=time.strftime("%H%M%S"))
    parser.add_argument("--target", type=float, default=1.1, help="ratio goal")
    parser.add_argument("--network", choices=["same", "default"], default="same",
                        help="docker run on DCloud's container's network (same) or on the engine's default bridge")
    args = parser.parse_args()
    if args.rounds < 1:
        fail("--rounds must be at least 1")
    if args.warm_creates < 0:
        fail("--warm-creates must be 0 or more")

    api = Api(args.http_port)
    raw_label_key = "dcloud.bench"
    raw_label = f"{raw_label_key}=startup-{args.run_id}"

    # --- warm-up: the image is built (or found) and cached; its tag and DCloud's limits are read.
    say(f"warm-up: creating a {args.os} environment (cpu {args.cpu}, ram {args.ram}); "
        "the first one builds its image from the catalog, which may take minutes")
    total, _, env_id, view = create_and_time(api, args, f"{PREFIX}-{args.run_id}-warmup")
    if view.get("node") != args.node_name:
        fail(f"the warm-up environment runs on node {view.get('node')!r}, not on this DCloud's Docker worker "
             f"{args.node_name!r} (hollow nodes?): the benchmark needs the real Docker runtime")
    image = view.get("image")
    container_id = view.get("containerId")
    if not image or not container_id:
        fail(f"the warm-up environment has no image or containerId: {json.dumps(view)[:500]}")
    steps = history_breakdown(view)
    built = "BUILDING" in steps and "STARTING" in steps and steps["STARTING"] - steps["BUILDING"] > 2000
    say(f"warm-up: RUNNING after {total:.1f} s, image {image}" + (" (built now)" if built else " (cached)"))
    container = docker_inspect(container_id)
    flags, host_config = same_limits_as(container, args.network)
    command = container["Config"].get("Cmd") or ["sleep", "infinity"]
    delete_and_wait(api, env_id)
    # One untimed run of each baseline too (first use of the image by the CLI / API paths).
    _, argv = docker_run(image, command, flags, raw_label, f"{PREFIX}-{args.run_id}-warmup-cli")
    if args.engine_api == "on":
        engine_run(args.docker_socket, image, command, host_config, {raw_label_key: f"startup-{args.run_id}"},
                   f"{PREFIX}-{args.run_id}-warmup-api")
    for cid in docker_ids(f"label={raw_label}"):
        subprocess.run(["docker", "rm", "-f", cid], capture_output=True)
    if args.warm_creates:
        say(f"warm-up: {args.warm_creates} untimed creates (JIT warm-up of DCloud's create path)")
        for i in range(args.warm_creates):
            _, _, warm_id, _ = create_and_time(api, args, f"{PREFIX}-{args.run_id}-warm-{i}")
            delete_and_wait(api, warm_id)

    shown = " ".join(argv[:3] + ["--name", "NAME", "--label", raw_label] + flags + [image] + command)
    print(f"image: {image}")
    print(f"DCloud: POST /api/v1/environments {{os: {args.os}, cpu: {args.cpu}, ram: {args.ram}}} -> RUNNING, "
          f"followed by {'SSE (GET .../events)' if args.follow == 'sse' else f'polling GET .../{{id}} every {args.poll_interval:g} ms'}")
    print(f"docker: {shown}")
    if args.engine_api == "on":
        print("engine API: POST /containers/create + POST /containers/{id}/start on " + args.docker_socket
              + " (same HostConfig; information only)")
    print()

    # --- rounds
    header = f"{'round':>5} {'order':>6} {'dcloud_ms':>9} {'post_ms':>7} {'srv_placed':>10} {'srv_starting':>12} " \
             f"{'srv_running':>11} {'docker_run_ms':>13}" + (f" {'engine_api_ms':>13}" if args.engine_api == "on" else "")
    print(header, flush=True)
    dcloud_s, docker_s, engine_s, post_s, server_running = [], [], [], [], []
    for r in range(1, args.rounds + 1):
        dcloud_first = r % 2 == 1
        result = {}

        def run_dcloud():
            time.sleep(args.pause)
            total, post, env_id, view = create_and_time(api, args, f"{PREFIX}-{args.run_id}-{r}")
            if view.get("image") != image:
                fail(f"round {r}: DCloud used image {view.get('image')}, not {image}")
            result["dcloud"] = (total, post, history_breakdown(view))
            delete_and_wait(api, env_id)

        def run_docker():
            time.sleep(args.pause)
            result["docker"], _ = docker_run(image, command, flags, raw_label, f"{PREFIX}-{args.run_id}-cli-{r}")
            if args.engine_api == "on":
                time.sleep(args.pause)
                result["engine"] = engine_run(args.docker_socket, image, command, host_config,
                                              {raw_label_key: f"startup-{args.run_id}"}, f"{PREFIX}-{args.run_id}-api-{r}")
            for cid in docker_ids(f"label={raw_label}"):
                subprocess.run(["docker", "rm", "-f", cid], capture_output=True)

        for step in ((run_dcloud, run_docker) if dcloud_first else (run_docker, run_dcloud)):
            step()
        total, post, steps = result["dcloud"]
        dcloud_s.append(total)
        post_s.append(post)
        docker_s.append(result["docker"])
        if "RUNNING" in steps:
            server_running.append(steps["RUNNING"] / 1000)
        if "engine" in result:
            engine_s.append(result["engine"])

        def step_ms(name):
            return f"{steps[name]:.0f}" if name in steps else "-"

        line = f"{r:>5} {'D,d' if dcloud_first else 'd,D':>6} {ms(total):>9} {ms(post):>7} {step_ms('PLACED'):>10} " \
               f"{step_ms('STARTING'):>12} {step_ms('RUNNING'):>11} {ms(result['docker']):>13}"
        if "engine" in result:
            line += f" {ms(result['engine']):>13}"
        print(line, flush=True)

    # --- summary
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


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
