import Foundation

/// A TCP proxy on 127.0.0.1 that injects faults into connections to an upstream port, for upload tests.
///
/// Each new connection takes the next fault from `plan` (cycling through it for the first `faultyConnections`
/// connections, then passing everything through):
/// - `pass`: forward both ways.
/// - `reset`: accept and reset at once (RST).
/// - `500` / `503`: read the request head, answer that status with an S3-style XML error (`Retry-After: 0` on 503), close.
/// - `drop`: forward the request head and some body, then reset both sides (a connection lost mid-upload).
/// - `stall`: read, never answer, close after `stallSeconds` (a slow or hung server).
/// It is a small Python program (written to the temp folder and run with python3) because its threads are simplest there.
/// Every decision is logged as a line `conn N MODE` to ``log``.
public final class FaultProxy: @unchecked Sendable {
    public let port: Int
    public let log: URL
    private let process: Process
    private let directory: URL

    public init(upstreamPort: Int, plan: [String], faultyConnections: Int, stallSeconds: Double = 4) throws {
        directory = try TestPaths.makeTemporaryDirectory()
        let script = directory.appendingPathComponent("fault_proxy.py")
        try Data(Self.source.utf8).write(to: script)
        log = directory.appendingPathComponent("proxy.log")
        port = ProcessRunner.freePort()
        process = try ProcessRunner.start(["setpriv", "--pdeathsig", "KILL", "--", "python3", "-u", script.path, "\(port)", "\(upstreamPort)", plan.joined(separator: ","),
                                           "\(faultyConnections)", "\(stallSeconds)"], log: log)
        guard ProcessRunner.waitForText("listening", in: log, timeout: 10) else {
            ProcessRunner.stop(process)
            throw TestSupportError("fault proxy did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
    }

    /// How many connections got each mode so far.
    public func counts() -> [String: Int] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("conn ") {
            let parts = line.split(separator: " ")
            if parts.count >= 3 { counts[String(parts[2]), default: 0] += 1 }
        }
        return counts
    }

    public func stop() { ProcessRunner.stop(process, grace: 1) }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    static let source = #"""
import socket, struct, sys, threading, time

listen_port, upstream_port = int(sys.argv[1]), int(sys.argv[2])
plan = sys.argv[3].split(",")
faulty = int(sys.argv[4])
stall = float(sys.argv[5])
lock = threading.Lock()
counter = [0]
out_lock = threading.Lock()

def say(line):
    with out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

def rst(sock):
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()

def read_head(sock):
    data = b""
    sock.settimeout(10)
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data

def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

def handle(client, n, mode):
    say(f"conn {n} {mode}")
    try:
        if mode == "reset":
            rst(client)
            return
        if mode in ("500", "503"):
            read_head(client)
            reason = "Internal Server Error" if mode == "500" else "Service Unavailable"
            code = "InternalError" if mode == "500" else "ServiceUnavailable"
            body = f"<?xml version=\"1.0\"?><Error><Code>{code}</Code><Message>injected by the fault proxy</Message></Error>".encode()
            extra = "Retry-After: 0\r\n" if mode == "503" else ""
            head = f"HTTP/1.1 {mode} {reason}\r\nContent-Type: application/xml\r\nContent-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n"
            client.sendall(head.encode() + body)
            time.sleep(0.05)
            client.close()
            return
        if mode == "stall":
            client.settimeout(stall)
            end = time.time() + stall
            try:
                while time.time() < end:
                    if not client.recv(65536):
                        break
            except OSError:
                pass
            client.close()
            return
        upstream = socket.create_connection(("127.0.0.1", upstream_port))
        if mode == "drop":
            head = read_head(client)
            upstream.sendall(head)
            try:
                client.settimeout(2)
                upstream.sendall(client.recv(65536))
            except OSError:
                pass
            rst(client)
            rst(upstream)
            return
        t = threading.Thread(target=pump, args=(upstream, client), daemon=True)
        t.start()
        pump(client, upstream)
        t.join()
        client.close()
        upstream.close()
    except OSError as e:
        say(f"conn {n} error {e}")
        try:
            client.close()
        except OSError:
            pass

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", listen_port))
server.listen(64)
say("listening")
while True:
    client, _ = server.accept()
    with lock:
        n = counter[0]
        counter[0] += 1
    mode = plan[n % len(plan)] if n < faulty else "pass"
    threading.Thread(target=handle, args=(client, n, mode), daemon=True).start()
"""#
}
