internal import CSeccamFFmpeg
#if canImport(Glibc)
import Glibc
#endif

/// libavdevice's inputs (v4l2 capture devices and the other device formats), opened the first time a source
/// asks for one.
///
/// Linking libavdevice would load it, and the ~100 libraries it depends on (libavfilter, SDL, PulseAudio, X11,
/// …), into every process at start: measured 0.04–0.05 s of CPU per start on the development machine, a few
/// percent of a whole `scan` of a 23-second clip. Files and network streams never need it, so it is opened with
/// `dlopen` (same process, same library the headers describe; never closed) when a device is opened.
enum CaptureDevices {
    /// Loads libavdevice and registers its input formats with libavformat, once.
    /// - Throws: `.unsupported` naming the library and `dlerror`'s text when it cannot be loaded, or when its
    ///   version does not match the headers.
    static func register() throws(MediaError) {
        try registration.get()
    }

    private static let registration: Result<Void, MediaError> = {
        let library = "libavdevice.so.\(cseccam_avdevice_major())"
        let operation = "loading \(library) for capture devices"
        guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL) else {
            return .failure(MediaError(code: .unsupported, operation: operation, reason: lastLoaderError()))
        }
        typealias Version = @convention(c) () -> UInt32
        typealias RegisterAll = @convention(c) () -> Void
        guard let version = dlsym(handle, "avdevice_version"), let registerAll = dlsym(handle, "avdevice_register_all") else {
            return .failure(MediaError(code: .unsupported, operation: operation, reason: lastLoaderError()))
        }
        let running = unsafeBitCast(version, to: Version.self)()
        if let mismatch = FFmpegLibrary.versionMismatch("avdevice", compiled: cseccam_compiled_avdevice_version(), running: running) {
            return .failure(mismatch)
        }
        unsafeBitCast(registerAll, to: RegisterAll.self)()
        return .success(())
    }()

    private static func lastLoaderError() -> String {
        dlerror().map { String(cString: $0) } ?? "unknown dynamic loader error"
    }
}
