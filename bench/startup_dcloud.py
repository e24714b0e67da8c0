"""bench/startup_dcloud.py: the DCloud side of bench/startup.py, a create timed through the REST API.

The time is taken from just before POST /api/v1/environments until RUNNING is seen on the environment's
SSE stream (GET .../{id}/events) or by polling GET .../{id}; the server's own view of the same create
(REQUESTED -> PLACED -> STARTING -> RUNNING) is read back from the environment's history. Deleting
between rounds (until DELETED and the container gone) lives here too, as it is untimed API work.
"""

import http.client
import json
import os
import socket
import time

from startup_docker import docker_ids, docker_remove
from startup_report import fail, say

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
    docker_remove(f"label=dcloud.env={env_id}")
