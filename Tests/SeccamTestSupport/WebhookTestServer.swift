import Foundation

/// A webhook receiver on 127.0.0.1 for tests (Python http.server): checks `X-Seccam-Signature` against
/// HMAC-SHA256(secret, timestamp + "." + body), answers 500 to the first `failFirst` requests, 401 to bad signatures,
/// 204 otherwise, and logs each request as `STATUS SIGNATURE-OK BODY` (one JSON line).
public final class WebhookTestServer: @unchecked Sendable {
    public let port: Int
    public let log: URL
    private let directory: URL
    private let process: Process

    public init(secret: String, failFirst: Int = 1) throws {
        directory = try TestPaths.makeTemporaryDirectory()
        let script = directory.appendingPathComponent("webhook_server.py")
        try Data(Self.source.utf8).write(to: script)
        log = directory.appendingPathComponent("webhook.log")
        port = ProcessRunner.freePort()
        process = try ProcessRunner.start(["setpriv", "--pdeathsig", "KILL", "--", "python3", "-u", script.path, "\(port)", secret, "\(failFirst)"], log: log)
        guard ProcessRunner.waitForText("listening", in: log, timeout: 10) else {
            ProcessRunner.stop(process)
            throw TestSupportError("webhook server did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
    }

    /// The logged requests: (status, signature verified, body).
    public func requests() -> [(status: Int, verified: Bool, body: String)] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 2)
            guard parts.count == 3, let status = Int(parts[0]) else { return nil }
            return (status, parts[1] == "ok", String(parts[2]))
        }
    }

    public func stop() { ProcessRunner.stop(process, grace: 1) }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    static let source = #"""
import hashlib, hmac, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, secret, fail_first = int(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3])
lock = threading.Lock()
count = [0]

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        timestamp = self.headers.get("X-Seccam-Timestamp", "")
        expected = "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        verified = hmac.compare_digest(expected, self.headers.get("X-Seccam-Signature", ""))
        with lock:
            count[0] += 1
            n = count[0]
        status = 500 if n <= fail_first else (204 if verified else 401)
        sys.stdout.write(f"{status} {'ok' if verified else 'bad'} {body.decode()}\n")
        sys.stdout.flush()
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
sys.stdout.write("listening\n")
sys.stdout.flush()
server.serve_forever()
"""#
}
