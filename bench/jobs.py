"""bench/jobs.py: the measuring half of bench/jobs.sh (see there); talks to $API with $DCLOUD_TOKEN.

Trains a scikit-learn model, pushes it, makes its service, uploads RECORDS JSON-lines records, then for
each replica count scales the service, waits until that many replicas are ready, and times one job over
the records (POST /jobs until SUCCEEDED, polled every 0.2 s), checking its output against the model.
"""
import io
import json
import os
import random
import sys
import time
import urllib.request
import uuid

API = os.environ["API"]
TOKEN = os.environ["DCLOUD_TOKEN"]
NAME = "bench-jobs"
CONTRACT = '''FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def preprocess(request):
    return [float(request[feature]) for feature in FEATURES]


def postprocess(prediction):
    return {"class": int(prediction)}
'''


def call(method, path, body=None, content_type="application/json"):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    request = urllib.request.Request(API + path, data=data, method=method,
                                     headers={"Authorization": "Bearer " + TOKEN, "Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=600) as answer:
        text = answer.read()
        return json.loads(text) if text and answer.headers.get_content_type() == "application/json" else text


def push(model):
    boundary = uuid.uuid4().hex
    parts = [("model", "model.joblib", model), ("contract", "contract.py", CONTRACT.encode()),
             ("config", "config.json", json.dumps({"name": NAME, "runtime": {
                 "language-name": "python", "libraries": ["scikit-learn"]}}).encode())]
    body = b"".join(b"--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n\r\n%s\r\n"
                    % (boundary.encode(), n.encode(), f.encode(), c) for n, f, c in parts)
    call("POST", "/models", body + b"--%s--\r\n" % boundary.encode(), "multipart/form-data; boundary=" + boundary)


def service_body(replicas):
    return {"name": NAME, "kind": "model", "port": 8080, "replicas": replicas, "readiness": {"path": "/ready"},
            "environment": {"os": "debian", "languages": [{"language-name": "python", "libraries": [
                "scikit-learn", "flask", "waitress", "joblib"]}],
                "resources": {"ram": "512M", "cpu": "0.5", "gpu": "0"},
                "dataset": [{"category-name": "models", "db": [{"db-name": NAME, "dataset": [
                    {"dataset-name": "bundle", "version": "1"}]}]}],
                "command": ["python3", "/datasets/models/%s/bundle/dcloud_serve.py" % NAME],
                "env": {"PORT": "8080"}, "port-publish": [{"internal": {"ports": 8080, "protocol": "tcp"}}]}}


def wait_ready(replicas, timeout):
    start = time.time()
    while True:
        shown = call("GET", "/services/" + NAME)
        ready = sum(1 for r in shown["replicas"] if r["ready"])
        if len(shown["replicas"]) == replicas and ready == replicas:
            return
        if time.time() - start > timeout:
            sys.exit("bench-jobs: %d of %d replicas ready after %d s" % (ready, replicas, timeout))
        time.sleep(1)


def main():
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    records, batch, counts, timeout = int(sys.argv[1]), int(sys.argv[2]), [int(c) for c in sys.argv[3].split(",")], \
        int(sys.argv[4])
    iris = load_iris()
    model = LogisticRegression(max_iter=500).fit(iris.data, iris.target)
    artifact = io.BytesIO()
    joblib.dump(model, artifact)
    push(artifact.getvalue())
    rng = random.Random(14)
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    rows = [[float(v) + rng.uniform(-0.3, 0.3) for v in iris.data[i % 150]] for i in range(records)]
    expected = [{"class": int(p)} for p in model.predict(rows)]
    lines = "".join(json.dumps(dict(zip(names, row))) + "\n" for row in rows).encode()
    call("PUT", "/datasets/bench/jobs/records", lines, "application/x-ndjson")
    call("POST", "/services", service_body(counts[0]))
    results = []
    for replicas in counts:
        call("PATCH", "/services/" + NAME, {"replicas": replicas})
        print("bench-jobs: waiting for %d ready replica(s) (the first build of the image takes minutes)" % replicas,
              file=sys.stderr)
        wait_ready(replicas, timeout)
        start = time.time()
        job = call("POST", "/jobs", {"service": NAME, "input": {"dataset": "bench/jobs/records"}, "batch-size": batch})
        while job["status"] in ("QUEUED", "RUNNING"):
            time.sleep(0.2)
            job = call("GET", "/jobs/" + job["id"])
        seconds = time.time() - start
        if job["status"] != "SUCCEEDED":
            sys.exit("bench-jobs: job %s %s: %s" % (job["id"], job["status"], job["error"]))
        output = [json.loads(line) for line in call("GET", "/jobs/%s/output" % job["id"]).decode().splitlines()]
        if output != expected:
            sys.exit("bench-jobs: job %s's output differs from the local predictions" % job["id"])
        busy = sum(1 for a in job["assignments"] if a["done"] > 0)
        results.append((replicas, seconds, records / seconds, busy))
        print("bench-jobs: %d replica(s): %.2f s, %d of them did tasks" % (replicas, seconds, busy), file=sys.stderr)
    base = results[0][2]
    print("%-9s %9s %12s %9s %6s" % ("replicas", "seconds", "records/s", "x one", "busy"))
    for replicas, seconds, rate, busy in results:
        print("%-9d %9.2f %12.1f %9.2f %6d" % (replicas, seconds, rate, rate / base, busy))
    print("RESULT jobs " + " ".join("replicas%d_records_per_s=%.1f" % (r[0], r[2]) for r in results))


if __name__ == "__main__":
    main()
