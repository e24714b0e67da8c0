package io.dcloud.app;

/**
 * The app DevicesIT pushes and binds to devices: Python with paho-mqtt, reaching the broker through
 * its network's gateway. It follows its bindings document, subscribes to each bound device's
 * readings, counts what arrives (GET …/received answers them with the bindings), and publishes a
 * command for a bound controller when asked (POST …/command/{device}). It never drops a topic it
 * was once given, and asks for all of them again on every connect (the broker drops a service's
 * connection when its rights change), so that only the broker's rules can keep a revoked device's
 * readings from it.
 */
final class ClimateApp {
  /** Its only file, pushed as app.py. */
  static final String APP_PY = """
      import json
      import os
      import threading
      from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

      import paho.mqtt.client as mqtt

      BINDINGS = os.environ["DCLOUD_MQTT_BINDINGS_TOPIC"]
      lock = threading.Lock()
      received = {}
      state = {"bindings": None}
      subscribed = set()


      def on_connect(client, userdata, flags, rc):
          client.subscribe(BINDINGS, qos=1)
          with lock:
              for topic in subscribed:
                  client.subscribe(topic, qos=1)


      def on_message(client, userdata, message):
          if message.topic == BINDINGS:
              document = json.loads(message.payload) if message.payload else {"bindings": []}
              topics = {device["readings"] for binding in document["bindings"] for device in binding["devices"]}
              with lock:
                  state["bindings"] = document
                  for topic in topics - subscribed:
                      client.subscribe(topic, qos=1)
                  subscribed.update(topics)
              return
          reading = json.loads(message.payload)
          with lock:
              received.setdefault(reading["device"], []).append(reading["values"])


      client = mqtt.Client(client_id="climate-app-" + os.environ.get("HOSTNAME", "replica"))
      client.username_pw_set(os.environ["DCLOUD_MQTT_USERNAME"], os.environ["DCLOUD_MQTT_PASSWORD"])
      client.on_connect = on_connect
      client.on_message = on_message
      client.connect_async(os.environ["DCLOUD_MQTT_HOST"], int(os.environ["DCLOUD_MQTT_PORT"]))
      client.loop_start()


      class Handler(BaseHTTPRequestHandler):
          def do_GET(self):
              path = self.path.split("?")[0]
              if path.endswith("/ready"):
                  self.answer(200 if client.is_connected() else 503, {"connected": client.is_connected()})
              elif path.endswith("/received"):
                  with lock:
                      self.answer(200, {"received": received, "bindings": state["bindings"]})
              else:
                  self.answer(404, {"error": path})

          def do_POST(self):
              device = self.path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
              body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
              with lock:
                  document = state["bindings"] or {"bindings": []}
              topic = next((d["commands"] for b in document["bindings"] for d in b["devices"]
                            if d["id"] == device and "commands" in d), None)
              if topic is None:
                  self.answer(404, {"error": "not a bound controller: " + device})
                  return
              client.publish(topic, body, qos=1).wait_for_publish()
              self.answer(202, {"topic": topic})

          def answer(self, status, document):
              body = json.dumps(document).encode()
              self.send_response(status)
              self.send_header("Content-Type", "application/json")
              self.send_header("Content-Length", str(len(body)))
              self.end_headers()
              self.wfile.write(body)


      ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
      """;

  private ClimateApp() {}
}
