import Foundation
import SeccamSpool
import XCTest

/// SigV4 against the values AWS publishes in "Signature Calculations for the Authorization Header: Transferring
/// Payload in a Single Chunk" (example "GET Object": the first 10 bytes of test.txt from examplebucket).
final class S3SignerTests: XCTestCase {
    let credentials = S3Credentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    let date = Date(timeIntervalSince1970: 1_369_353_600)   // 2013-05-24T00:00:00Z

    func testAWSGetObjectExample() {
        let signer = S3Signer(credentials: credentials, region: "us-east-1")
        let signed = signer.sign(method: "GET", canonicalURI: "/test.txt",
                                 headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")],
                                 payloadHash: S3Signer.emptyPayloadHash, date: date)
        XCTAssertEqual(signed.canonicalRequest, """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        XCTAssertEqual(signed.stringToSign, """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
            """)
        XCTAssertEqual(signed.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        XCTAssertEqual(signed.authorization,
                       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                       + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                       + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    func testQueryIsSortedAndEncoded() {
        let signer = S3Signer(credentials: credentials, region: "us-east-1")
        let signed = signer.sign(method: "PUT", canonicalURI: "/examplebucket/a%20b/c.mp4",
                                 query: [("uploadId", "x/y+z"), ("partNumber", "2")],
                                 headers: [("Host", "127.0.0.1:9000")], payloadHash: S3Signer.unsignedPayload, date: date)
        XCTAssertEqual(signed.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2],
                       "partNumber=2&uploadId=x%2Fy%2Bz")
        XCTAssertTrue(signed.canonicalRequest.contains("host:127.0.0.1:9000\n"))
    }

    func testSessionTokenIsSignedButNeverPrinted() {
        let withToken = S3Credentials(accessKeyId: "AKID", secretAccessKey: "SECRET-VALUE", sessionToken: "TOKEN-VALUE")
        let signed = S3Signer(credentials: withToken, region: "eu-west-1")
            .sign(method: "HEAD", canonicalURI: "/k", headers: [("Host", "h")], payloadHash: S3Signer.emptyPayloadHash, date: date)
        XCTAssertTrue(signed.headers.contains { $0.0 == "x-amz-security-token" && $0.1 == "TOKEN-VALUE" })
        XCTAssertTrue(signed.authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token"))
        for text in ["\(withToken)", String(describing: withToken), String(reflecting: withToken)] {
            XCTAssertFalse(text.contains("SECRET-VALUE"), text)
            XCTAssertFalse(text.contains("TOKEN-VALUE"), text)
        }
    }

    func testUriEncodeFollowsAWSRules() {
        XCTAssertEqual(S3Signer.uriEncode("cam 1/2026-11-25/clip~_.mp4", encodeSlash: false), "cam%201/2026-11-25/clip~_.mp4")
        XCTAssertEqual(S3Signer.uriEncode("a/b", encodeSlash: true), "a%2Fb")
        XCTAssertEqual(S3Signer.uriEncode("é", encodeSlash: true), "%C3%A9")
    }

    func testPathAndVirtualHostAddressesAndKeyTemplate() throws {
        var path = try S3Configuration.parse(target: "s3://clips/site-a/", endpoint: "http://127.0.0.1:8333", region: "us-east-1", pathStyle: true)
        XCTAssertEqual(path.prefix, "site-a")
        let manifest = SpoolManifest(
            id: "20261125T101500.000Z-0000abcd", fileName: "front door.DSME_0001.mp4", camera: "front/door",
            recordedAt: Date(timeIntervalSince1970: 1_795_601_700), enqueuedAt: Date(), event: [:], size: 1, sha256: "", md5: "")
        let key = path.objectKey(for: manifest)
        XCTAssertEqual(key, "site-a/front_door/2026-11-25/front door.DSME_0001.mp4")
        XCTAssertEqual(path.objectURL(key: key), "http://127.0.0.1:8333/clips/site-a/front_door/2026-11-25/front%20door.DSME_0001.mp4")
        var virtual = try S3Configuration.parse(target: "s3://clips", endpoint: nil, region: "eu-central-1", pathStyle: false)
        XCTAssertEqual(virtual.objectURL(key: "a/b.mp4"), "https://clips.s3.eu-central-1.amazonaws.com/a/b.mp4")
        virtual.keyTemplate = "{date}/{id}-{file}"
        XCTAssertEqual(virtual.objectKey(for: manifest), "2026-11-25/20261125T101500.000Z-0000abcd-front door.DSME_0001.mp4")
        path.keyTemplate = "{camera}/{file}"
        XCTAssertThrowsError(try S3Configuration.parse(target: "clips/x", endpoint: nil, region: nil, pathStyle: true)) {
            XCTAssertTrue("\($0)".contains("s3://BUCKET/PREFIX"), "\($0)")
        }
    }

    func testCredentialsFromEnvironmentNameTheMissingVariable() {
        XCTAssertThrowsError(try S3Credentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID"])) {
            XCTAssertTrue("\($0)".contains("AWS_SECRET_ACCESS_KEY is not set"), "\($0)")
        }
        let credentials = try? S3Credentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "S", "AWS_SESSION_TOKEN": "T"])
        XCTAssertEqual(credentials?.sessionToken, "T")
    }

    func testBackoffGrowsWithJitterAndHonoursRetryAfter() {
        let policy = RetryPolicy(baseDelay: 1, maxDelay: 60)
        for attempt in 1...8 {
            let full = min(60, pow(2, Double(attempt - 1)))
            for _ in 0..<20 {
                let delay = policy.delay(afterAttempt: attempt)
                XCTAssertGreaterThanOrEqual(delay, full / 2)
                XCTAssertLessThanOrEqual(delay, full)
            }
        }
        XCTAssertGreaterThanOrEqual(policy.delay(afterAttempt: 1, retryAfter: 30), 30)
        XCTAssertLessThanOrEqual(policy.delay(afterAttempt: 1, retryAfter: 3000), 60)
    }
}
