/// The state of a spool entry is the folder it lives in (ARCHITECTURE.md: "state = layout").
public enum SpoolState: String, CaseIterable, Sendable {
    /// Waiting for upload (the recorder only ever adds here).
    case pending
    /// Claimed by an uploader; moved back to `pending` on the next start after a crash.
    case inflight
    /// Delivered and confirmed by the server.
    case done
    /// Permanently refused (e.g. 403); kept with the reason until `spool retry` or `spool purge`.
    case failed

    /// The folder name of this state under the spool root.
    public var folderName: String { rawValue }
}
