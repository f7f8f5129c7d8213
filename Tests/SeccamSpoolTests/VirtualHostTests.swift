import Foundation
import Logging
import SeccamSpool
import SeccamTestSupport
import XCTest

/// Virtual-host-style addressing (`bucket.host/key`) against SeaweedFS with `-s3.domainName=localhost`; curl connects
/// to 127.0.0.1 through `CURLOPT_CONNECT_TO` while `Host` (and so the signature) keeps the bucket's name.
final class VirtualHostTests: XCTestCase {
    func testVirtualHostStyleUploadLandsInTheBucket() throws {
        let server = try SeaweedServer(domainName: "localhost")
        try server.start()
        defer { server.stop() }
        let temp = try TestPaths.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let credentials = S3Credentials(accessKeyId: SeaweedServer.accessKey, secretAccessKey: SeaweedServer.secretKey)
        let virtual = try S3Configuration.parse(target: "s3://vhost-bucket/cams", endpoint: "http://localhost:\(server.s3Port)",
                                                region: "us-east-1", pathStyle: false)
        XCTAssertEqual(virtual.objectURL(key: "a/b.mp4"), "http://vhost-bucket.localhost:\(server.s3Port)/a/b.mp4")
        var transfer = TransferOptions()
        transfer.connectTo = ["::127.0.0.1:"]
        try S3Client(configuration: virtual, credentials: credentials, options: transfer).createBucket()

        let spool = try SpoolDirectory(root: temp.appendingPathComponent("spool").path)
        var expected: [String: Data] = [:]
        for i in 1...2 {
            let data = Data((0..<(70_000 * i)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) })
            let path = temp.appendingPathComponent("v\(i).mp4").path
            try data.write(to: URL(fileURLWithPath: path))
            try spool.enqueue(clip: path, camera: "lane")
            expected["v\(i).mp4"] = data
        }
        var configuration = UploaderConfiguration()
        configuration.transfer = transfer
        configuration.retry = RetryPolicy(baseDelay: 0.2, maxDelay: 1)
        let summary = try Uploader(spool: spool, target: .s3(virtual, credentials), configuration: configuration, logger: Logger(label: "test"))
            .run(mode: .drain(deadline: Date().addingTimeInterval(30)))
        XCTAssertEqual(summary.delivered, 2)

        // Read back path-style from 127.0.0.1: the objects are in vhost-bucket under the prefix.
        let pathStyle = try S3Configuration.parse(target: "s3://vhost-bucket/cams", endpoint: server.endpoint, region: "us-east-1", pathStyle: true)
        let client = try S3Client(configuration: pathStyle, credentials: credentials)
        for entry in spool.entries(in: .done) {
            let key = try XCTUnwrap(entry.manifest.objectKey)
            XCTAssertTrue(key.hasPrefix("cams/lane/"), key)
            let download = temp.appendingPathComponent("dl").path
            try client.getObject(key: key, to: download)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: download)), expected[entry.manifest.fileName])
        }
    }
}
