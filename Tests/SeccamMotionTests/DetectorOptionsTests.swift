import SeccamMotion
import XCTest

final class DetectorOptionsTests: XCTestCase {
    private func error(_ change: (inout DetectorOptions) -> Void) -> MotionOptionError? {
        var options = DetectorOptions()
        change(&options)
        do {
            try options.validate()
            return nil
        } catch {
            return error
        }
    }

    func testDefaultsAreValid() {
        XCTAssertNil(error { _ in })
        XCTAssertNil(error { $0.kernelSize = 0 })
        XCTAssertNil(error { $0.kernelSize = 7 })
    }

    func testRejectsBadValuesNamingTheOption() {
        XCTAssertEqual(error { $0.kernelSize = 4 }?.description,
                       "kernel-size: must be -1 (auto), 0 (off) or an odd number >= 3, got 4")
        XCTAssertEqual(error { $0.kernelSize = 1 }?.option, "kernel-size")
        XCTAssertEqual(error { $0.kernelSize = -3 }?.option, "kernel-size")
        XCTAssertEqual(error { $0.threshold = -0.1 }?.option, "threshold")
        XCTAssertEqual(error { $0.downscaleFactor = -1 }?.option, "downscale-factor")
        XCTAssertEqual(error { $0.learningRate = -0.5 }?.option, "learning-rate")
        XCTAssertEqual(error { $0.maxArea = .nan }?.option, "max-area")
        XCTAssertEqual(error { $0.regions = [Region(points: [.init(x: 0, y: 0), .init(x: 5, y: 5)])] }?.option,
                       "add-region")
        XCTAssertEqual(error {
            $0.regions = [Region(points: [.init(x: 0, y: 0), .init(x: 5, y: 0), .init(x: 5, y: 5)], threshold: -1)]
        }?.option, "add-region")
    }

    func testDetectorRejectsInvalidOptions() {
        var options = DetectorOptions()
        options.kernelSize = 2
        XCTAssertThrowsError(try MotionDetector(options: options, videoWidth: 64, videoHeight: 48))
    }
}
