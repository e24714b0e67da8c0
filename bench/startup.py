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

# The parts live in modules next to this script (Python puts its directory first on sys.path):
# the DCloud API side, the docker baseline, and what is printed.
import argparse
import json
import sys
import time

from startup_dcloud import Api, create_and_time, delete_and_wait, history_breakdown
from startup_docker import docker_inspect, docker_remove, docker_run, engine_run, same_limits_as
from startup_report import PREFIX, fail, print_summary, round_header, round_line, say


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
    docker_remove(f"label={raw_label}")
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
    print(round_header(args.engine_api == "on"), flush=True)
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
            docker_remove(f"label={raw_label}")

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
        print(round_line(r, dcloud_first, total, post, steps, result["docker"], result.get("engine")), flush=True)

    print_summary(args, image, dcloud_s, post_s, server_running, docker_s, engine_s)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
