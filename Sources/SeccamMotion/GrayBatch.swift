/// Gray frames stored back to back for ``MotionDetector/process(frames:count:into:)``, filled one frame at a time.
/// Allocated once; a class, so two threads can hand a batch back and forth without copying it.
public final class GrayBatch {
    /// Frames the batch holds when full.
    public let capacity: Int
    /// Pixels per frame.
    public let pixelsPerFrame: Int
    /// Frames filled so far.
    public private(set) var count = 0
    private let storage: UnsafeMutableBufferPointer<UInt8>

    /// - Parameters:
    ///   - capacity: frames (at least 1).
    ///   - pixelsPerFrame: `plan.width * plan.height`.
    public init(capacity: Int, pixelsPerFrame: Int) {
        precondition(capacity >= 1 && pixelsPerFrame >= 0, "GrayBatch: invalid size")
        self.capacity = capacity
        self.pixelsPerFrame = pixelsPerFrame
        storage = .allocate(capacity: max(1, capacity * pixelsPerFrame))
        storage.initialize(repeating: 0)
    }

    deinit {
        storage.deallocate()
    }

    /// Whether every frame is filled.
    public var isFull: Bool { count == capacity }

    /// Counts one more frame and returns its pixels, to be written before the batch is processed.
    public func appendFrame() -> UnsafeMutableBufferPointer<UInt8> {
        precondition(!isFull, "GrayBatch: full")
        count += 1
        return storage.frame(count - 1, size: pixelsPerFrame)
    }

    /// Forgets the frames (the storage is reused).
    public func removeAll() {
        count = 0
    }

    /// The filled frames, back to back (``MotionDetector/process(frames:count:into:)`` overwrites them).
    public var frames: UnsafeMutableBufferPointer<UInt8> {
        UnsafeMutableBufferPointer(rebasing: storage[0..<(count * pixelsPerFrame)])
    }

    /// How many frames to batch for detection: enough for MOG2's tiles to pay off, fewer when that many frames
    /// would take more than `budgetBytes` (a scan holds two batches: one being filled, one being scored).
    /// Measured on the 640x360 traffic video's frames (MOG2 kernel alone, ms a frame): 0.56 alone, 0.44 in
    /// batches of 16, 0.40 in 24, 0.46 in 32 (a tile's frames then no longer fit L1 beside its model).
    public static func framesPerBatch(pixelsPerFrame: Int, budgetBytes: Int = 24 << 20) -> Int {
        max(1, min(24, budgetBytes / max(1, pixelsPerFrame)))
    }
}
