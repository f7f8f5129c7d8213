import SeccamMedia
import XCTest

final class SourceURLTests: XCTestCase {
    func testRedactsUserInfoAndSecretQueryValues() {
        XCTAssertEqual(SourceURL("rtsp://admin:s3cret@10.0.0.5:554/Streaming/101").redacted, "rtsp://***@10.0.0.5:554/Streaming/101")
        XCTAssertEqual(SourceURL("http://cam/video.cgi?user=admin&pwd=s3cret&res=hd").redacted, "http://cam/video.cgi?user=admin&pwd=***&res=hd")
        XCTAssertEqual(SourceURL("/dev/video0").redacted, "/dev/video0")
        XCTAssertEqual(SourceURL.redact("failed rtsp://u:p@host/a and http://x:y@z/b"), "failed rtsp://***@host/a and http://***@z/b")
    }

    func testCredentialsKeptApartAreSplicedInButNeverShown() {
        let url = SourceURL("rtsp://cam.local/stream", username: "ad min", password: "p@ss:word")
        XCTAssertEqual(url.redacted, "rtsp://***@cam.local/stream")
        XCTAssertFalse(url.description.contains("p@ss"))
        XCTAssertEqual(url.scheme, "rtsp")
        XCTAssertTrue(url.isNetwork)
    }

    func testKinds() {
        XCTAssertTrue(SourceURL("/dev/video2").isVideoDevice)
        XCTAssertNil(SourceURL("/tmp/a.mp4").scheme)
        XCTAssertFalse(SourceURL("file:/tmp/a.mp4").isNetwork)
    }
}
