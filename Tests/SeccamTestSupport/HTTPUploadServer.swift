import Foundation

/// A small HTTP upload server on 127.0.0.1 for HTTP-target tests (Python's http.server, written to a temp folder):
/// `PUT /path` stores the body under its folder, a multipart/form-data `POST` stores its `file` field under `form/` (answering `ETag: "<md5>"` unless `etag` is false), `HEAD /path`
/// answers its `Content-Length`, and a bearer token is required when `token` is set (401 otherwise).
/// The first `failFirst` PUTs get a 500. Every request is logged as `METHOD PATH STATUS`.
public final class HTTPUploadServer: @unchecked Sendable {
    public let port: Int
    public let directory: URL
    public let log: URL
    private let process: Process

    /// Where stored files are.
    public var storage: URL { directory.appendingPathComponent("store") }

    public init(token: String?, etag: Bool = true, failFirst: Int = 0) throws {
        directory = try TestPaths.makeTemporaryDirectory()
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("store"), withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("upload_server.py")
        try Data(Self.source.utf8).write(to: script)
        log = directory.appendingPathComponent("server.log")
        port = ProcessRunner.freePort()
        let storagePath = directory.appendingPathComponent("store").path
        process = try ProcessRunner.start(["setpriv", "--pdeathsig", "KILL", "--", "python3", "-u", script.path, "\(port)", storagePath, token ?? "", etag ? "1" : "0", "\(failFirst)"], log: log)
        guard ProcessRunner.waitForText("listening", in: log, timeout: 10) else {
            ProcessRunner.stop(process)
            throw TestSupportError("upload server did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
    }

    public func stop() { ProcessRunner.stop(process, grace: 1) }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    static let source = #"""
import hashlib, os, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, root, token, etag, fail_first = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4] == "1", int(sys.argv[5])
lock = threading.Lock()
puts = [0]

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, headers=None, body=b""):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
        sys.stdout.write(f"{self.command} {self.path} {status}\n")
        sys.stdout.flush()

    def authorized(self):
        return not token or self.headers.get("Authorization") == f"Bearer {token}"

    def target(self):
        return os.path.join(root, self.path.lstrip("/").replace("..", "_"))

    def do_PUT(self):
        length = int(self.headers.get("Content-Length", "0"))
        if self.headers.get("Expect", "").lower() == "100-continue":
            pass  # http.server answers 100 Continue itself
        data = self.rfile.read(length)
        if not self.authorized():
            return self.answer(401, body=b"missing or wrong bearer token")
        with lock:
            puts[0] += 1
            n = puts[0]
        if n <= fail_first:
            return self.answer(500, body=b"injected failure")
        path = self.target()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        headers = {"ETag": '"' + hashlib.md5(data).hexdigest() + '"'} if etag else {}
        self.answer(201, headers)

    def do_POST(self):
        # multipart/form-data: field "file" (stored under form/<its file name, slashes as _>) and text fields;
        # the "sha256" field must match the file.
        import re
        data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if not self.authorized():
            return self.answer(401, body=b"missing or wrong bearer token")
        boundary = self.headers.get("Content-Type", "").split("boundary=")[-1].strip('"').encode()
        fields, stored = {}, None
        for part in data.split(b"--" + boundary)[1:-1]:
            head, _, body = part.partition(b"\r\n\r\n")
            body = body[:-2]  # the CRLF before the next boundary
            head = head.decode()
            name = re.search(r'name="([^"]*)"', head)
            filename = re.search(r'filename="([^"]*)"', head)
            if name and name.group(1) == "file":
                stored = ((filename.group(1) if filename else "unnamed").replace("/", "_"), body)
            elif name:
                fields[name.group(1)] = body.decode()
        if stored is None or fields.get("sha256") != hashlib.sha256(stored[1]).hexdigest():
            return self.answer(400, body=b"missing file or sha256 mismatch")
        os.makedirs(os.path.join(root, "form"), exist_ok=True)
        with open(os.path.join(root, "form", stored[0]), "wb") as f:
            f.write(stored[1])
        self.answer(201)

    def do_HEAD(self):
        if not self.authorized():
            return self.answer(401)
        path = self.target()
        if not os.path.exists(path):
            return self.answer(404)
        self.send_response(200)
        self.send_header("Content-Length", str(os.path.getsize(path)))
        self.end_headers()
        sys.stdout.write(f"HEAD {self.path} 200\n")
        sys.stdout.flush()

server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
sys.stdout.write("listening\n")
sys.stdout.flush()
server.serve_forever()
"""#
}
