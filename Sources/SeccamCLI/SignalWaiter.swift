import Dispatch
import Foundation
import Synchronization

/// Turns signals into a queue a thread can wait on (the signals' default actions are disabled).
struct SignalWaiter {
    private final class Received: Sendable {
        let numbers = Mutex<[Int32]>([])
        let available = DispatchSemaphore(value: 0)
    }

    private let received = Received()
    private let sources: [DispatchSourceSignal]

    init(_ numbers: [Int32]) {
        let received = self.received
        sources = numbers.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                received.numbers.withLock { $0.append(number) }
                received.available.signal()
            }
            source.resume()
            return source
        }
    }

    /// Blocks until a signal arrives and returns its number.
    func next() -> Int32 {
        received.available.wait()
        return received.numbers.withLock { $0.removeFirst() }
    }
}
