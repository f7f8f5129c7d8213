import SeccamMotion
import XCTest

final class TimeSpecTests: XCTestCase {
    func testParsesTheThreeForms() throws {
        XCTAssertEqual(try TimeSpec.parse("25"), .frames(25))
        XCTAssertEqual(try TimeSpec.parse(" 0 "), .frames(0))
        XCTAssertEqual(try TimeSpec.parse("1.5s"), .seconds(1.5))
        XCTAssertEqual(try TimeSpec.parse("2s"), .seconds(2))
        XCTAssertEqual(try TimeSpec.parse(".5s"), .seconds(0.5))
        XCTAssertEqual(try TimeSpec.parse("00:00:01.500"), .seconds(1.5))
        XCTAssertEqual(try TimeSpec.parse("01:02:03"), .seconds(3723))
        XCTAssertEqual(try TimeSpec.parse("1.5", allowBareSeconds: true), .seconds(1.5))
    }

    func testRejectsBadInput() {
        for text in ["", "abc", "1.5", "1.2.3s", "-5", "5m", "s", "00:60:00", "00:00:60", "1:2", "00:00:01:00",
                     "aa:00:01", "1e3s"] {
            XCTAssertThrowsError(try TimeSpec.parse(text), "\"\(text)\"") { error in
                XCTAssertEqual((error as? MotionOptionError)?.option, "time")
            }
        }
    }

    func testSecondsRoundHalfToEven() throws {
        XCTAssertEqual(try TimeSpec.parse("0.1s").frames(fps: 25), 2)    // 2.5 -> 2
        XCTAssertEqual(try TimeSpec.parse("1.5s").frames(fps: 25), 38)   // 37.5 -> 38
        XCTAssertEqual(try TimeSpec.parse("1.5s").frames(fps: 15), 22)   // 22.5 -> 22
        XCTAssertEqual(try TimeSpec.parse("0.1s").frames(fps: 5), 0)     // 0.5 -> 0
        XCTAssertEqual(try TimeSpec.parse("2.0s").frames(fps: 25), 50)
        XCTAssertEqual(try TimeSpec.parse("00:00:01.500").frames(fps: 25), 38)
        XCTAssertEqual(TimeSpec.frames(7).frames(fps: 25), 7)
    }
}

final class TimecodeTests: XCTestCase {
    func testFormatsLikeScenedetect() {
        XCTAssertEqual(Timecode.format(frames: 200, fps: 25, precision: 3), "00:00:08.000")
        XCTAssertEqual(Timecode.format(frames: 2, fps: 25, precision: 3), "00:00:00.080")
        XCTAssertEqual(Timecode.format(frames: 2, fps: 25, precision: 1), "00:00:00.1")
        XCTAssertEqual(Timecode.format(frames: 37, fps: 25, precision: 0), "00:00:01")
        XCTAssertEqual(Timecode.format(frames: 70, fps: 350.0 / 19.0, precision: 3), "00:00:03.800")
    }

    func testExactTiesRoundToEven() {
        XCTAssertEqual(Timecode.format(frames: 6, fps: 24, precision: 1), "00:00:00.2")    // 0.25
        XCTAssertEqual(Timecode.format(frames: 6, fps: 24, precision: 3), "00:00:00.250")
        XCTAssertEqual(Timecode.format(frames: 5, fps: 8, precision: 2), "00:00:00.62")    // 0.625
        XCTAssertEqual(Timecode.format(frames: 3, fps: 16, precision: 1), "00:00:00.2")    // 0.1875
    }

    func testSixtySecondsCarry() {
        XCTAssertEqual(Timecode.format(frames: 1499, fps: 25, precision: 1), "00:01:00.0")   // 59.96
        XCTAssertEqual(Timecode.format(frames: 1499, fps: 25, precision: 3), "00:00:59.960")
        XCTAssertEqual(Timecode.format(frames: 89999, fps: 25, precision: 1), "01:00:00.0")  // 3599.96
    }
}
