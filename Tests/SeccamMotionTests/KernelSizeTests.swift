import SeccamMotion
import XCTest

final class KernelSizeTests: XCTestCase {
    func testAutoUsesFullWidthOverDownscale() {
        XCTAssertEqual(KernelSize.effective(requested: -1, videoWidth: 640, downscale: 0), 3)
        XCTAssertEqual(KernelSize.effective(requested: -1, videoWidth: 1280, downscale: 0), 5)
        XCTAssertEqual(KernelSize.effective(requested: -1, videoWidth: 1920, downscale: 1), 7)
        XCTAssertEqual(KernelSize.effective(requested: -1, videoWidth: 1920, downscale: 2), 3)
        XCTAssertEqual(KernelSize.effective(requested: -1, videoWidth: 3840, downscale: 2), 7)
        // 2561/2 = 1280.5 rounds half to even: 1280, so 5; 2563/2 = 1281.5 -> 1282.
        XCTAssertEqual(KernelSize.effective(requested: -1, videoWidth: 2561, downscale: 2), 5)
        XCTAssertEqual(KernelSize.effective(requested: -1, videoWidth: 1279, downscale: 1), 3)
    }

    func testExplicitSizeIsScaledAndKeptOdd() {
        XCTAssertEqual(KernelSize.effective(requested: 5, videoWidth: 640, downscale: 2), 3)   // 2.5 -> 2 -> 1 -> 3
        XCTAssertEqual(KernelSize.effective(requested: 7, videoWidth: 640, downscale: 3), 3)   // 2.33 -> 2 -> 1 -> 3
        XCTAssertEqual(KernelSize.effective(requested: 7, videoWidth: 640, downscale: 0), 7)
        XCTAssertEqual(KernelSize.effective(requested: 15, videoWidth: 640, downscale: 2), 7)  // 7.5 -> 8 -> 7
        XCTAssertEqual(KernelSize.effective(requested: 21, videoWidth: 640, downscale: 2), 9)  // 10.5 -> 10 -> 9
        XCTAssertEqual(KernelSize.effective(requested: 0, videoWidth: 1920, downscale: 0), 0)
    }
}
