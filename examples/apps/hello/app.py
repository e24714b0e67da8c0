"""The hello example: an HTTP app on Python's standard library alone.

DCloud runs it in the directory its source is mounted at (/datasets/apps/<name>/source), with the
config's env; the node asks GET /ready before the service sends it calls. Each request is logged on
stderr, which is the replica's log (dcloud services logs hello).
"""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?")[0]
        if path.endswith("/ready"):
            self.answer(200, "application/json", json.dumps({"ready": True}))
        elif path.endswith("/hello"):
            with open("greeting.txt") as greeting:
                self.answer(200, "application/json", json.dumps(
                    {"greeting": greeting.read().strip(), "to": os.environ.get("WHO", "world"), "cwd": os.getcwd()}))
        elif path.endswith("/"):
            with open(os.path.join("static", "index.html")) as page:
                self.answer(200, "text/html; charset=utf-8", page.read())
        else:
            self.answer(404, "application/json", json.dumps({"error": "no such path: " + path}))

    def log_request(self, code="-", size="-"):
        # The node asks /ready every 2 s: logging it would drown the requests that matter.
        if not self.path.split("?")[0].endswith("/ready"):
            super().log_request(code, size)

    def answer(self, status, content_type, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8000"))), Handler).serve_forever()
