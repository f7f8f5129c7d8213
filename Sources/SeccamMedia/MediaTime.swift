internal import CSeccamFFmpeg

/// A rational time base (seconds per tick), such as 1/90000 for RTSP video.
public struct TimeBase: Sendable, Hashable, CustomStringConvertible {
    public var numerator: Int32
    public var denominator: Int32

    public init(numerator: Int32, denominator: Int32) {
        self.numerator = numerator
        self.denominator = denominator
    }

    init(_ q: AVRational) { self.init(numerator: q.num, denominator: q.den) }
    var rational: AVRational { AVRational(num: numerator, den: denominator) }

    /// The value as a Double (a time base or a frame rate); 0 when the denominator is 0.
    public var doubleValue: Double { denominator == 0 ? 0 : Double(numerator) / Double(denominator) }

    public var description: String { "\(numerator)/\(denominator)" }
}

/// A timestamp in a stream's time base. Timestamps FFmpeg marks as unknown (`AV_NOPTS_VALUE`) are `nil`
/// wherever a `MediaTime?` appears, converted once at the boundary.
public struct MediaTime: Sendable, Hashable, Comparable {
    public var ticks: Int64
    public var timeBase: TimeBase

    public init(ticks: Int64, timeBase: TimeBase) {
        self.ticks = ticks
        self.timeBase = timeBase
    }

    /// Wraps a raw FFmpeg timestamp, mapping `AV_NOPTS_VALUE` to nil.
    static func from(_ raw: Int64, _ timeBase: TimeBase) -> MediaTime? {
        raw == cseccam_nopts_value() ? nil : MediaTime(ticks: raw, timeBase: timeBase)
    }

    /// Seconds, for display and for comparisons with wall-clock times (never for media arithmetic).
    public var seconds: Double { Double(ticks) * timeBase.doubleValue }

    /// The same instant in another time base, rounded to nearest (`av_rescale_q_rnd` NEAR_INF|PASS_MINMAX).
    public func rescaled(to target: TimeBase) -> MediaTime {
        let rounding = AVRounding(rawValue: AV_ROUND_NEAR_INF.rawValue | AV_ROUND_PASS_MINMAX.rawValue)
        return MediaTime(ticks: av_rescale_q_rnd(ticks, timeBase.rational, target.rational, rounding), timeBase: target)
    }

    public static func < (lhs: MediaTime, rhs: MediaTime) -> Bool {
        av_compare_ts(lhs.ticks, lhs.timeBase.rational, rhs.ticks, rhs.timeBase.rational) < 0
    }

    public static func == (lhs: MediaTime, rhs: MediaTime) -> Bool {
        av_compare_ts(lhs.ticks, lhs.timeBase.rational, rhs.ticks, rhs.timeBase.rational) == 0
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(seconds) }
}
