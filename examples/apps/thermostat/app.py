"""The thermostat example: an app bound to devices, on Python's standard library and paho-mqtt.

Each binding an end user makes is a room: 1 to 10 thermometers and one valve (app.yaml's bindings).
The app learns its bindings from the retained document on DCLOUD_MQTT_BINDINGS_TOPIC (published
again on every change) and subscribes to each bound thermometer's readings. Once the mean of a
room's latest temperatures falls below TARGET - HYSTERESIS it opens the room's valve (heating on),
once it rises above TARGET + HYSTERESIS it closes it, and in between it leaves the valve as it is.
A room's first decision waits until each of its thermometers has been heard (30 s at most). A valve
is commanded only when the wanted state differs from the one last commanded to it (and once at the
first decision), by publishing {"name": "set", "params": {"open": ...}} on the valve's
commands topic; DCloud checks it, sends it to the device until the device acknowledges it, and
lists it (dcloud devices commands VALVE). Each command is logged on stderr, the replica's log.

GET / (or /status) answers each binding's devices, latest temperatures, mean and the valve's last
commanded state as JSON; GET /ready is 200 only while the app is connected to the broker.

Run it on DCloud (README, "Sensors and controllers"):
    dcloud sensor-types create -f examples/devices/thermometer.yaml
    dcloud sensor-types create -f examples/devices/valve.yaml
    dcloud devices simulate --type thermometer --count 2 --rate 1 --site hq    # or real devices
    dcloud devices simulate --type valve --count 1 --site hq
    dcloud apps push examples/apps/thermostat
    dcloud services bind thermostat THERMOMETER... VALVE
    dcloud services call thermostat /
"""
import json
import os
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import paho.mqtt.client as mqtt

# The type names app.yaml's bindings declare.
THERMOMETER = "thermometer"
VALVE = "valve"
TARGET = float(os.environ.get("TARGET", "21"))
HYSTERESIS = float(os.environ.get("HYSTERESIS", "0.5"))
BINDINGS_TOPIC = os.environ["DCLOUD_MQTT_BINDINGS_TOPIC"]
# A room's first decision waits until each of its thermometers was heard (the first one alone is
# no room's mean), but no longer than this after the binding arrived: one may be dead.
FIRST_DECISION_WAIT_S = 30

# Paho delivers on its own thread and the HTTP server answers on others: all state is under one lock.
lock = threading.Lock()
bindings = []      # the bindings document's "bindings": [{id, owner, devices: [{id, type, readings, commands?}]}]
subscribed = set()  # the readings topics asked for
latest = {}        # thermometer id -> {"temperature", "at" (as DCloud stamped it), "epoch"}
valves = {}        # valve id -> {"open", "commandedAt"}: what was last commanded to it
arrived = {}       # binding id -> when it arrived (time.monotonic())
refused = threading.Event()  # whether the last try to connect was refused


def log(message):
    print(message, file=sys.stderr, flush=True)


def now():
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def epoch(at):
    """A reading's "at" (ISO-8601, as Java writes an Instant) in seconds; None when it cannot be read."""
    try:
        return datetime.fromisoformat(at).timestamp()
    except (TypeError, ValueError):
        return None


def devices_of(binding, type_name):
    return [device for device in binding["devices"] if device["type"] == type_name]


def on_connect(client, userdata, flags, rc):
    if rc != 0:
        # The account exists from the push until the service is deleted, but the broker may not
        # have it yet just after a push. Said once, not on every try.
        if not refused.is_set():
            log("the broker refused the connection (%s); trying again every few seconds" % mqtt.connack_string(rc))
        refused.set()
        if rc == 5:
            # Not authorised: the service was deleted, and no bindings document will reach this client.
            forget_bindings(client)
        return
    refused.clear()
    log("connected to the broker")
    # A clean session starts with no subscriptions, and the broker drops the connection whenever the
    # service's bindings (so its rights) change: ask for everything again on every connect.
    client.subscribe(BINDINGS_TOPIC, qos=1)
    with lock:
        for topic in subscribed:
            client.subscribe(topic, qos=0)


def on_message(client, userdata, message):
    try:
        if message.topic == BINDINGS_TOPIC:
            follow_bindings(client, message.payload)
        else:
            take_reading(client, json.loads(message.payload))
    except (ValueError, KeyError, TypeError) as e:
        # A message this app cannot read must not end Paho's loop (and with it every callback).
        log("ignored a message on %s: %r" % (message.topic, e))


def follow_bindings(client, payload):
    # An empty retained message is how DCloud says the service has no bindings left.
    document = json.loads(payload) if payload else {"bindings": []}
    with lock:
        take_bindings(client, document["bindings"])
        log("bindings: %s" % (", ".join("%s (%s)" % (b["id"], " ".join(d["id"] for d in b["devices"]))
                                        for b in bindings) or "none"))
        # A new binding may be of thermometers already heard (another binding has them too).
        for binding in bindings:
            decide(client, binding)


def forget_bindings(client):
    with lock:
        if bindings:
            take_bindings(client, [])
            log("bindings: none (the broker no longer knows this service)")


def take_bindings(client, new_bindings):
    """Follows the bindings now in force: subscriptions, and what is known of their devices. Under lock."""
    bindings[:] = new_bindings
    thermometers = {device["id"]: device["readings"]
                    for binding in bindings for device in devices_of(binding, THERMOMETER)}
    topics = set(thermometers.values())
    for topic in topics - subscribed:
        client.subscribe(topic, qos=0)
    for topic in subscribed - topics:
        client.unsubscribe(topic)
    subscribed.clear()
    subscribed.update(topics)
    for gone in set(latest) - set(thermometers):
        del latest[gone]
    # A valve bound again is commanded again at its first decision: meanwhile others may have moved it.
    bound_valves = {device["id"] for binding in bindings for device in devices_of(binding, VALVE)}
    for gone in set(valves) - bound_valves:
        del valves[gone]
    ids = {binding["id"] for binding in bindings}
    for gone in set(arrived) - ids:
        del arrived[gone]
    for binding_id in ids - set(arrived):
        arrived[binding_id] = time.monotonic()


def take_reading(client, reading):
    """A processed reading, as DCloud republishes it: {"device", "type", "at", "receivedAt", "values"}."""
    temperature = reading["values"].get("temperature")
    if temperature is None:
        return  # a reading of the battery alone
    device = reading["device"]
    at = epoch(reading.get("at"))
    with lock:
        known = latest.get(device)
        # Readings may come twice or out of order (at least once, several gateways): keep the newest.
        if known is not None and at is not None and known["epoch"] is not None and at < known["epoch"]:
            return
        latest[device] = {"temperature": float(temperature), "at": reading.get("at"), "epoch": at}
        for binding in bindings:
            if any(d["id"] == device for d in devices_of(binding, THERMOMETER)):
                decide(client, binding)


def mean_of(binding):
    heard = [latest[d["id"]]["temperature"] for d in devices_of(binding, THERMOMETER) if d["id"] in latest]
    return sum(heard) / len(heard) if heard else None


def decide(client, binding):
    """Commands the binding's valve when its mean left the band and the valve was not told so already. Under lock."""
    mean = mean_of(binding)
    if mean is None or not devices_of(binding, VALVE):
        return
    valve = devices_of(binding, VALVE)[0]
    unheard = [d for d in devices_of(binding, THERMOMETER) if d["id"] not in latest]
    if (unheard and valve["id"] not in valves
            and time.monotonic() - arrived.get(binding["id"], 0) < FIRST_DECISION_WAIT_S):
        return
    if mean < TARGET - HYSTERESIS:
        wanted = True
    elif mean > TARGET + HYSTERESIS:
        wanted = False
    else:
        return  # within the band: the valve stays as last commanded
    if valves.get(valve["id"], {}).get("open") == wanted:
        return
    command = json.dumps({"name": "set", "params": {"open": wanted}})
    # Not waited for: this is Paho's own thread. QoS 1 is sent again by Paho until the broker has it.
    result = client.publish(valve["commands"], command, qos=1)
    if result.rc != mqtt.MQTT_ERR_SUCCESS:
        log("could not command %s now (%s): the next reading tries again" % (valve["id"], mqtt.error_string(result.rc)))
        return
    valves[valve["id"]] = {"open": wanted, "commandedAt": now()}
    log("binding %s: mean %.2f °C, target %.2f ± %.2f: %s valve %s"
        % (binding["id"], mean, TARGET, HYSTERESIS, "opening" if wanted else "closing", valve["id"]))


def status():
    with lock:
        rooms = {}
        for binding in bindings:
            valve = (devices_of(binding, VALVE) or [None])[0]
            mean = mean_of(binding)
            rooms[binding["id"]] = {
                "owner": binding.get("owner"),
                "devices": [d["id"] for d in binding["devices"]],
                "temperatures": {d["id"]: {k: latest[d["id"]][k] for k in ("temperature", "at")} if d["id"] in latest else None
                                 for d in devices_of(binding, THERMOMETER)},
                "mean": None if mean is None else round(mean, 2),
                "valve": None if valve is None else dict({"id": valve["id"], "open": None, "commandedAt": None},
                                                         **valves.get(valve["id"], {})),
            }
        return {"target": TARGET, "hysteresis": HYSTERESIS, "connected": client.is_connected(), "bindings": rooms}


# paho-mqtt 2 asks which callback signatures the app uses; 1.x (Debian bookworm's) has no such argument.
client_options = {"client_id": "thermostat-" + os.environ.get("HOSTNAME", "replica")}
if hasattr(mqtt, "CallbackAPIVersion"):
    client_options["callback_api_version"] = mqtt.CallbackAPIVersion.VERSION1
client = mqtt.Client(**client_options)
client.username_pw_set(os.environ["DCLOUD_MQTT_USERNAME"], os.environ["DCLOUD_MQTT_PASSWORD"])
client.on_connect = on_connect
client.on_message = on_message
# At most 5 s apart: an app refused at first is ready soon after the broker knows its account.
client.reconnect_delay_set(min_delay=1, max_delay=5)
# Connects in the background and keeps reconnecting: the replica is not ready (/ready) until it is connected.
client.connect_async(os.environ["DCLOUD_MQTT_HOST"], int(os.environ.get("DCLOUD_MQTT_PORT", "1883")))
client.loop_start()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?")[0]
        if path.endswith("/ready"):
            connected = client.is_connected()
            self.answer(200 if connected else 503, {"ready": connected})
        elif path.endswith("/status") or path.endswith("/"):
            self.answer(200, status())
        else:
            self.answer(404, {"error": "no such path: " + path})

    def log_request(self, code="-", size="-"):
        # The node asks /ready every 2 s: logging it would drown the requests and commands that matter.
        if not self.path.split("?")[0].endswith("/ready"):
            super().log_request(code, size)

    def answer(self, status_code, document):
        body = (json.dumps(document, indent=2) + "\n").encode()
        self.send_response(status_code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8000"))), Handler).serve_forever()
