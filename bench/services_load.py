"""Fixed-rate load for bench/services.sh: POSTs one body to one URL at a fixed rate over keep-alive
connections, and prints one JSON line of results (the throughput callers are wrk's:
bench/services/post_body.lua).

python3 services_load.py latency URL BODY_FILE --rate R --duration S [--warmup S] [--callers N]

DCLOUD_TOKEN, when set, is sent as the bearer token (the gateway's URL needs it; a replica's does not).
Latency mode keeps a schedule of send times (one every 1/R s) shared by N callers; a request whose
slot has passed when a caller takes it is sent at once and counted "late" (the pacer is closed-loop:
a slow answer delays the next sends of that caller, see bench/api/pacer.lua for what that hides).
"""
import argparse
import http.client
import json
import os
import statistics
import threading
import time
import urllib.parse


def connection(url):
    parts = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30), parts.path


def headers():
    h = {"Content-Type": "application/json"}
    token = os.environ.get("DCLOUD_TOKEN")
    if token:
        h["Authorization"] = "Bearer " + token
    return h


def post(conn, path, body, h):
    conn.request("POST", path, body=body, headers=h)
    response = conn.getresponse()
    response.read()
    return response.status


def latency(args, body):
    h = headers()
    interval = 1.0 / args.rate
    lock = threading.Lock()
    state = {"next": 0}
    samples, errors, late = [], [0], [0]
    start = time.perf_counter() + 0.2
    measure_from = start + args.warmup
    end = measure_from + args.duration

    def caller():
        conn, path = connection(args.url)
        while True:
            with lock:
                slot = start + state["next"] * interval
                state["next"] += 1
            if slot >= end:
                return
            now = time.perf_counter()
            if slot > now:
                time.sleep(slot - now)
            elif now - slot > interval and slot >= measure_from:
                with lock:
                    late[0] += 1
            sent = time.perf_counter()
            try:
                status = post(conn, path, body, h)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn, path = connection(args.url)
                status = 0
            took = time.perf_counter() - sent
            if slot >= measure_from:
                with lock:
                    if status == 200:
                        samples.append(took * 1000)
                    else:
                        errors[0] += 1

    threads = [threading.Thread(target=caller) for _ in range(args.callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cuts = statistics.quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else [0.0] * 99
    return {"requests": len(samples), "errors": errors[0], "late": late[0],
            "rate": len(samples) / args.duration, "p50": cuts[49], "p90": cuts[89], "p99": cuts[98],
            "max": max(samples) if samples else 0.0, "mean": statistics.fmean(samples) if samples else 0.0}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["latency"])
    parser.add_argument("url")
    parser.add_argument("body_file")
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--callers", type=int, default=8)
    args = parser.parse_args()
    with open(args.body_file, "rb") as f:
        body = f.read()
    print(json.dumps(latency(args, body)))


if __name__ == "__main__":
    main()
