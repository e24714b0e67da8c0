#!/usr/bin/env python3
"""DCloud's model serving wrapper: one replica of a model service.

Run as ``python3 dcloud_serve.py`` in (or naming) a model bundle directory holding ``model.joblib``,
``model.pkl`` or ``model.pt``, ``contract.py`` (``preprocess(request)`` -> one model input row,
``postprocess(prediction)`` -> a JSON-able answer) and ``config.json``.

* ``GET /ready``: 200 once the artifact is loaded, 503 before (the service's readiness check).
* ``POST /predict`` ``{"instances": [request, ...]}`` -> ``{"predictions": [answer, ...]}`` in
  order: each instance is preprocessed, the batch is predicted in one call, each prediction is
  postprocessed. A bad instance is a 400 ``{"error": ...}`` naming its index; the client never
  sees a stack trace (it goes to the log).

The artifact is loaded once, in the background, so that the port answers (503) while a large model
loads. Flask routes, waitress serves: both are Debian packages (python3-flask, python3-waitress)
and catalog libraries, and waitress is a production WSGI server with a bounded thread pool.
Environment: PORT (8080), THREADS (waitress threads, 4), MAX_BODY_BYTES (request body limit,
64 MiB), MODEL_DIR (the bundle, default: this file's directory).
"""
import importlib.util
import json
import logging
import os
import sys
import threading
import time

from flask import Flask, Response, request
from waitress import serve

log = logging.getLogger("dcloud_serve")

ARTIFACTS = ("model.joblib", "model.pkl", "model.pt")


class BadInstance(Exception):
    """An instance the contract or the model cannot take: a 400 naming its index."""

    def __init__(self, index, reason):
        super().__init__("instance %d: %s" % (index, reason))


def load_contract(directory):
    spec = importlib.util.spec_from_file_location("contract", os.path.join(directory, "contract.py"))
    contract = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(contract)
    for function in ("preprocess", "postprocess"):
        if not callable(getattr(contract, function, None)):
            raise RuntimeError("contract.py does not define %s" % function)
    return contract


class SklearnModel:
    """A joblib/pickle of a scikit-learn estimator (or anything with predict(rows))."""

    def __init__(self, path):
        import joblib

        self.estimator = joblib.load(path)

    def predict(self, rows):
        import numpy

        return list(self.estimator.predict(numpy.asarray(rows)))


class TorchScriptModel:
    """A TorchScript module: the rows are stacked into one float tensor, one output row per input."""

    def __init__(self, path):
        import torch

        self.torch = torch
        self.module = torch.jit.load(path, map_location="cpu")
        self.module.eval()

    def predict(self, rows):
        torch = self.torch
        batch = torch.stack([torch.as_tensor(row, dtype=torch.float32) for row in rows])
        with torch.no_grad():
            output = self.module(batch)
        return [row.tolist() for row in output]


def load_model(directory):
    for name in ARTIFACTS:
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return TorchScriptModel(path) if name.endswith(".pt") else SklearnModel(path)
    raise RuntimeError("no model artifact in %s (one of %s)" % (directory, ", ".join(ARTIFACTS)))


def plain(value):
    """numpy and torch values as the JSON types they stand for."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError("%s is not JSON-able" % type(value).__name__)


def to_json(document):
    return json.dumps(document, default=plain, allow_nan=False)


class Server:
    def __init__(self, directory):
        self.directory = directory
        self.model = None
        self.contract = None

    def load(self):
        started = time.monotonic()
        try:
            self.contract = load_contract(self.directory)
            self.model = load_model(self.directory)
        except Exception:
            log.exception("could not load the model in %s; exiting", self.directory)
            # The replica fails visibly (its container exits) instead of answering 503 for ever.
            os._exit(1)
        log.info("model in %s loaded in %.0f ms", self.directory, (time.monotonic() - started) * 1000)

    def predict(self, instances):
        rows = []
        for index, instance in enumerate(instances):
            try:
                rows.append(self.contract.preprocess(instance))
            except Exception as failure:
                log.info("preprocess failed for instance %d", index, exc_info=True)
                raise BadInstance(index, "preprocess failed: %s" % describe(failure))
        predictions = self.predict_rows(rows)
        answers = []
        for index, prediction in enumerate(predictions):
            try:
                answer = self.contract.postprocess(prediction)
                to_json(answer)
            except Exception as failure:
                log.info("postprocess failed for instance %d", index, exc_info=True)
                raise BadInstance(index, "postprocess failed: %s" % describe(failure))
            answers.append(answer)
        return answers

    def predict_rows(self, rows):
        if not rows:
            return []
        try:
            return self.model.predict(rows)
        except Exception:
            log.info("the batch of %d failed; predicting one by one to find the bad instance", len(rows), exc_info=True)
        # The batch failed: the first row the model refuses alone is the bad instance.
        for index, row in enumerate(rows):
            try:
                self.model.predict([row])
            except Exception as failure:
                raise BadInstance(index, "the model refused it: %s" % describe(failure))
        raise RuntimeError("the batch failed although each instance alone predicts")


def describe(failure):
    """One line for the client: TorchScript's messages hold a serialized traceback before the reason."""
    lines = [line.strip() for line in str(failure).splitlines() if line.strip()]
    return "%s: %s" % (type(failure).__name__, (lines[-1] if lines else "")[:300])


def error(status, message):
    return Response(to_json({"error": message}), status=status, mimetype="application/json")


def create_app(server, max_body_bytes):
    app = Flask("dcloud_serve")
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes

    @app.before_request
    def start_clock():
        request.environ["dcloud.started"] = time.monotonic()

    @app.after_request
    def log_request(response):
        started = request.environ.get("dcloud.started", time.monotonic())
        # The node's readiness probe asks every 2 s: a ready answer would be 43,200 lines a day that
        # bury the requests. Not ready is news, and stays.
        probe = request.path == "/ready" and response.status_code == 200
        log.log(logging.DEBUG if probe else logging.INFO, "%s %s %d in %.1f ms", request.method, request.path,
                response.status_code, (time.monotonic() - started) * 1000)
        return response

    @app.get("/ready")
    def ready():
        if server.model is None:
            return error(503, "the model is loading")
        return Response(to_json({"ready": True}), mimetype="application/json")

    @app.post("/predict")
    def predict():
        if server.model is None:
            return error(503, "the model is loading")
        try:
            body = json.loads(request.get_data())
        except ValueError as failure:
            return error(400, "the body is not JSON: %s" % failure)
        instances = body.get("instances") if isinstance(body, dict) else None
        if not isinstance(instances, list):
            return error(400, "the body must be {\"instances\": [request, ...]}")
        try:
            predictions = server.predict(instances)
        except BadInstance as bad:
            return error(400, str(bad))
        return Response(to_json({"predictions": predictions}), mimetype="application/json")

    @app.errorhandler(Exception)
    def failed(failure):
        code = getattr(failure, "code", None)
        if isinstance(code, int) and 400 <= code < 600:
            return error(code, getattr(failure, "description", None) or str(failure))
        log.exception("%s %s failed", request.method, request.path)
        return error(500, "the prediction failed; see the replica's log")

    return app


def main():
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    directory = os.environ.get("MODEL_DIR") or os.path.dirname(os.path.abspath(__file__))
    port = int(os.environ.get("PORT", "8080"))
    threads = int(os.environ.get("THREADS", "4"))
    max_body_bytes = int(os.environ.get("MAX_BODY_BYTES", str(64 * 1024 * 1024)))
    server = Server(directory)
    threading.Thread(target=server.load, name="load-model", daemon=True).start()
    log.info("serving %s on port %d with %d threads", directory, port, threads)
    serve(create_app(server, max_body_bytes), host=os.environ.get("HOST", "0.0.0.0"), port=port, threads=threads,
          ident="dcloud_serve")


if __name__ == "__main__":
    main()
