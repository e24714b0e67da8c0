"""bench/startup_docker.py: the raw Docker side of bench/startup.py, the baseline DCloud is measured against.

`docker run -d` (and, for information, the Engine API's create + start without the CLI's own start-up)
is given exactly DCloud's container: its image, command and limits, read with docker inspect from the
container of the warm-up create, so that the ratio measures DCloud's overhead and nothing else.
Also the container look-ups and removals the DCloud side needs between rounds.
"""

import http.client
import json
import socket
import subprocess
import time

from startup_report import fail, say


def docker_ids(filter_expr):
    out = subprocess.run(["docker", "ps", "-aq", "--filter", filter_expr], capture_output=True, text=True)
    return out.stdout.split()


def docker_remove(filter_expr):
    """Removes by force every container the filter matches (between rounds, outside the timed part)."""
    for cid in docker_ids(filter_expr):
        subprocess.run(["docker", "rm", "-f", cid], capture_output=True)


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
