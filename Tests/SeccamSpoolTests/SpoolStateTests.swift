import SeccamSpool
import XCTest

final class SpoolStateTests: XCTestCase {
    func testEachStateHasItsOwnFolder() {
        let folders = SpoolState.allCases.map(\.folderName)
        XCTAssertEqual(Set(folders).count, SpoolState.allCases.count)
        XCTAssertEqual(folders, ["pending", "inflight", "done", "failed"])
    }
}
