/// How well one setting's events match the labels, by event overlap.
///
/// An event and a label *overlap* when they share time of positive length: `event.start < label.end` and
/// `label.start < event.end` (intervals that only touch do not overlap). Then
/// * precision = events overlapping some label / events (0 when there are no events),
/// * recall = labels overlapped by some event / labels (0 when there are no labels),
/// * F1 = 2·P·R / (P + R) (0 when P + R = 0).
/// One long event covering three labels counts as one correct event and three found labels.
public struct TuningMetrics: Sendable, Codable, Equatable {
    /// Number of events and their total length in seconds (dvr-scan times, pre/post roll included).
    public var events: Int
    public var eventSeconds: Double
    /// The rest is nil without labels.
    public var labels: Int?
    /// Events that overlap at least one label.
    public var matchedEvents: Int?
    /// Labels that overlap at least one event.
    public var foundLabels: Int?
    public var precision: Double?
    public var recall: Double?
    public var f1: Double?

    /// Metrics of `events` (start, end in seconds) against `labels`, or counts only when `labels` is nil.
    public init(events: [(start: Double, end: Double)], labels: [LabelledInterval]?) {
        self.events = events.count
        eventSeconds = events.reduce(0) { $0 + max(0, $1.end - $1.start) }
        guard let labels else { return }
        func overlap(_ e: (start: Double, end: Double), _ l: LabelledInterval) -> Bool { e.start < l.end && l.start < e.end }
        let matched = events.filter { e in labels.contains { overlap(e, $0) } }.count
        let found = labels.filter { l in events.contains { overlap($0, l) } }.count
        let p = events.isEmpty ? 0 : Double(matched) / Double(events.count)
        let r = labels.isEmpty ? 0 : Double(found) / Double(labels.count)
        self.labels = labels.count
        matchedEvents = matched
        foundLabels = found
        precision = p
        recall = r
        f1 = p + r > 0 ? 2 * p * r / (p + r) : 0
    }

    /// The ranking order of `tune`: higher F1, then higher precision, then fewer events (then the earlier
    /// setting, which callers get from a stable sort). Without labels only the event count is compared.
    public static func isBetter(_ a: TuningMetrics, than b: TuningMetrics) -> Bool {
        if let fa = a.f1, let fb = b.f1, fa != fb { return fa > fb }
        if let pa = a.precision, let pb = b.precision, pa != pb { return pa > pb }
        return a.events < b.events
    }
}
