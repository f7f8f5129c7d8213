#if canImport(Glibc)
import Glibc
#endif

/// How `run` asks glibc's allocator to hand memory back, so a long-running service does not keep what a
/// camera freed.
///
/// Each camera's decoder allocates its pictures (about 1.4 MB per 720p frame) from a pool that is freed
/// when the camera reconnects or a looped file restarts. By default glibc raises its mmap threshold to the
/// size of the largest block freed, so such pictures end up in the camera thread's malloc arena, where the
/// holes they leave stay resident. A fixed threshold keeps every block of 128 KiB or more in its own
/// mapping, returned to the system when freed: measured with 4 cameras of 720p25 (`make bench-multicam`
/// setup), 28.2 MiB per added camera instead of 31.9 MiB, with no measurable CPU cost (the pools reuse
/// their pictures, so mappings are made once per session).
enum HeapPolicy {
    /// Fixes glibc's mmap threshold at 128 KiB for the rest of the process (a no-op elsewhere).
    static func returnLargeBlocksToTheSystem() {
        #if canImport(Glibc)
        // `mallopt` is declared in <malloc.h>, which Swift's Glibc module does not import; look it up instead.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mmapThresholdOption: Int32 = -3  // M_MMAP_THRESHOLD
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(mmapThresholdOption, 128 * 1024)
        #endif
    }
}
