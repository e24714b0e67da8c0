# A WebSocket echo server from Python's standard library alone (the test's environment has no
# WebSocket package): it greets each connection with the path it was opened at and the
# Authorization it got, then echoes every text and binary message until the client closes.
import base64
import hashlib
import socket
import struct
import threading

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def exactly(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def send(conn, opcode, data):
    n = len(data)
    if n < 126:
        head = bytes([0x80 | opcode, n])
    elif n < 65536:
        head = bytes([0x80 | opcode, 126]) + struct.pack(">H", n)
    else:
        head = bytes([0x80 | opcode, 127]) + struct.pack(">Q", n)
    conn.sendall(head + data)


def serve(conn):
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = conn.recv(4096)
        if not chunk:
            return
        head += chunk
    lines = head.decode("latin-1").split("\r\n")
    path = lines[0].split(" ")[1]
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
    accept = base64.b64encode(hashlib.sha1(headers["sec-websocket-key"].encode() + GUID).digest()).decode()
    conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").encode())
    send(conn, 1, ("path=" + path + " authorization=" + headers.get("authorization", "none")).encode())
    message, message_opcode = b"", 1
    while True:
        first, second = exactly(conn, 2)
        opcode, length = first & 0x0F, second & 0x7F
        if length == 126:
            length = struct.unpack(">H", exactly(conn, 2))[0]
        elif length == 127:
            length = struct.unpack(">Q", exactly(conn, 8))[0]
        mask = exactly(conn, 4)
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(exactly(conn, length)))
        if opcode == 8:
            send(conn, 8, b"")
            return
        if opcode in (1, 2):
            message, message_opcode = payload, opcode
        elif opcode == 0:
            message += payload
        if first & 0x80 and opcode in (0, 1, 2):
            send(conn, message_opcode, message)


server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", 8765))
server.listen()
while True:
    connection, _ = server.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
