import Foundation

/// A chart of motion scores over time as a standalone SVG document (no dependencies): the score line, the
/// threshold as a dashed line, detected events as shaded spans and labelled intervals as a band in another
/// colour, with axes, ticks, a title and a legend.
///
/// ```swift
/// var records: [FrameRecord] = []
/// let result = try ScanSession(inputs: inputs, options: options).run(onFrame: { records.append($0) })
/// try ScorePlot(title: "clip.mp4", result: result, records: records, threshold: options.detector.threshold)
///     .write(to: "clip.svg")
/// ```
public struct ScorePlot {
    /// How scores map to height.
    public enum Scale: Sendable {
        /// Proportional to the score.
        case linear
        /// log10(1 + score / 0.01): zero stays at the bottom, and 0.1, 1, 10 and 100 are evenly spaced, so a
        /// small threshold stays visible next to large peaks.
        case logarithmic
        /// Logarithmic when the highest score is more than 20 times the threshold, else linear.
        case automatic
    }

    public var title: String
    public var framesPerSecond: Double
    /// Processed frames and their (adjusted) scores; x is frame / fps.
    public var scores: [(frame: Int, score: Double)]
    public var threshold: Double
    /// Detected events, seconds.
    public var events: [(start: Double, end: Double)]
    /// Ground-truth intervals, seconds.
    public var labels: [(start: Double, end: Double)]
    public var scale: Scale
    /// Image size in SVG pixels.
    public var width = 1200
    public var height = 420

    public init(title: String, fps: Double, scores: [(frame: Int, score: Double)], threshold: Double,
                events: [(start: Double, end: Double)], labels: [(start: Double, end: Double)] = [],
                scale: Scale = .automatic) {
        self.title = title
        framesPerSecond = fps
        self.scores = scores
        self.threshold = threshold
        self.events = events
        self.labels = labels
        self.scale = scale
    }

    /// The plot of a scan: `records` are the frames its `onFrame` callback saw.
    public init(title: String, result: ScanResult, records: [FrameRecord], threshold: Double,
                labels: [LabelledInterval] = [], scale: Scale = .automatic) {
        self.init(title: title, fps: result.framesPerSecond, scores: records.map { ($0.frame, $0.score.score) },
                  threshold: threshold, events: result.events.map { ($0.startSeconds, $0.endSeconds) },
                  labels: labels.map { ($0.start, $0.end) }, scale: scale)
    }

    /// Writes ``svg()`` to `path`, which must end in `.svg`.
    /// - Throws: ``PlotError`` for another extension (PNG is not supported) or a write failure.
    public func write(to path: String) throws(PlotError) {
        try Self.checkPath(path)
        do { try svg().write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw PlotError("\(path): cannot write the plot (\(error.localizedDescription))")
        }
    }

    /// Fails unless `path` names an SVG file, so that callers can check before a long run.
    public static func checkPath(_ path: String) throws(PlotError) {
        let ext = (path as NSString).pathExtension.lowercased()
        guard ext == "svg" else {
            throw PlotError("\(path): plots are written as SVG only\(ext == "png" ? " (PNG is not supported)" : ""); use a file name ending in .svg")
        }
    }

    // MARK: - Rendering

    private var useLog: Bool {
        switch scale {
        case .linear: false
        case .logarithmic: true
        case .automatic: (scores.map(\.score).max() ?? 0) > 20 * max(threshold, 0.01)
        }
    }

    /// The SVG document.
    public func svg() -> String {
        let left = 70.0, right = 20.0, top = 56.0, bottom = 52.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let fps = framesPerSecond > 0 ? framesPerSecond : 1
        let lastScore = scores.map { Double($0.frame + 1) / fps }.max() ?? 0
        let xMax = max(1e-9, ([lastScore] + events.map(\.end) + labels.map(\.end)).max()!)
        let maxScore = max(scores.map(\.score).filter(\.isFinite).max() ?? 0, threshold)
        let log = useLog
        func f(_ s: Double) -> Double { log ? log10(1 + max(0, s) / 0.01) : max(0, s) }
        let yTicks = log ? Self.logTicks(upTo: maxScore) : Self.niceTicks(upTo: max(maxScore * 1.05, 1e-3))
        let yTop = max(f(yTicks.last ?? 1), f(maxScore), 1e-9)
        func x(_ t: Double) -> Double { left + min(max(t, 0), xMax) / xMax * plotW }
        func y(_ s: Double) -> Double { top + plotH - f(s) / yTop * plotH }
        func n(_ v: Double) -> String { String(format: "%.1f", v) }

        var out: [String] = []
        out.append(#"<?xml version="1.0" encoding="UTF-8"?>"#)
        out.append(##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(width)" height="\##(height)" viewBox="0 0 \##(width) \##(height)" font-family="sans-serif" font-size="12">"##)
        out.append(##"<rect width="100%" height="100%" fill="white"/>"##)
        out.append(##"<text class="title" x="\##(n(left))" y="22" font-size="16" font-weight="bold">\##(Self.escape(title))</text>"##)

        // Events: shaded spans over the full height; labels: a band along the top of the plot area.
        for e in events {
            out.append(##"<rect class="event" x="\##(n(x(e.start)))" y="\##(n(top))" width="\##(n(max(0.5, x(e.end) - x(e.start))))" height="\##(n(plotH))" fill="#1f77b4" fill-opacity="0.18"><title>event \##(Self.seconds(e.start))–\##(Self.seconds(e.end))</title></rect>"##)
        }
        for l in labels {
            out.append(##"<rect class="label" x="\##(n(x(l.start)))" y="\##(n(top))" width="\##(n(max(0.5, x(l.end) - x(l.start))))" height="\##(n(plotH))" fill="#ff7f0e" fill-opacity="0.10" stroke="none"><title>label \##(Self.seconds(l.start))–\##(Self.seconds(l.end))</title></rect>"##)
            out.append(##"<rect class="label-band" x="\##(n(x(l.start)))" y="\##(n(top + 1))" width="\##(n(max(0.5, x(l.end) - x(l.start))))" height="8" fill="#ff7f0e"/>"##)
        }

        // Grid and axes.
        for t in yTicks {
            let yy = n(y(t))
            out.append(##"<line class="grid" x1="\##(n(left))" y1="\##(yy)" x2="\##(n(left + plotW))" y2="\##(yy)" stroke="#dddddd" stroke-width="1"/>"##)
            out.append(##"<text x="\##(n(left - 6))" y="\##(yy)" text-anchor="end" dominant-baseline="middle">\##(Self.number(t))</text>"##)
        }
        for t in Self.timeTicks(upTo: xMax) where t <= xMax + 1e-9 {
            let xx = n(x(t))
            out.append(##"<line x1="\##(xx)" y1="\##(n(top + plotH))" x2="\##(xx)" y2="\##(n(top + plotH + 5))" stroke="black"/>"##)
            out.append(##"<text x="\##(xx)" y="\##(n(top + plotH + 18))" text-anchor="middle">\##(Self.timeLabel(t, span: xMax))</text>"##)
        }
        out.append(##"<rect class="frame" x="\##(n(left))" y="\##(n(top))" width="\##(n(plotW))" height="\##(n(plotH))" fill="none" stroke="black"/>"##)
        out.append(##"<text x="\##(n(left + plotW / 2))" y="\##(height - 12)" text-anchor="middle">time (\##(xMax >= 600 ? "m:ss" : "s"))</text>"##)
        out.append(##"<text transform="translate(16 \##(n(top + plotH / 2))) rotate(-90)" text-anchor="middle">score\##(log ? " (log scale)" : "")</text>"##)

        // Scores: one path, reduced to a min/max envelope per pixel column when there are many frames.
        let path = Self.envelope(scores.map { (x(Double($0.frame) / fps), y($0.score)) }, columns: Int(plotW))
        if !path.isEmpty {
            var d = "M\(n(path[0].0)),\(n(path[0].1))"
            for p in path.dropFirst() { d += " L\(n(p.0)),\(n(p.1))" }
            out.append(##"<path class="score" d="\##(d)" fill="none" stroke="#222222" stroke-width="1"/>"##)
        }

        let ty = n(y(threshold))
        out.append(##"<line class="threshold" x1="\##(n(left))" y1="\##(ty)" x2="\##(n(left + plotW))" y2="\##(ty)" stroke="#d62728" stroke-width="1.5" stroke-dasharray="6 4"/>"##)

        // Legend, top right above the plot.
        var lx = Double(width) - right - 470
        let ly = 40.0
        func entry(_ symbol: String, _ text: String) {
            out.append(symbol)
            out.append(##"<text x="\##(n(lx + 22))" y="\##(n(ly))" dominant-baseline="middle">\##(Self.escape(text))</text>"##)
            lx += 36 + Double(text.count) * 6.5
        }
        entry(##"<line x1="\##(n(lx))" y1="\##(n(ly))" x2="\##(n(lx + 18))" y2="\##(n(ly))" stroke="#222222" stroke-width="1.5"/>"##, "score")
        entry(##"<line x1="\##(n(lx))" y1="\##(n(ly))" x2="\##(n(lx + 18))" y2="\##(n(ly))" stroke="#d62728" stroke-width="1.5" stroke-dasharray="6 4"/>"##, "threshold \(Self.number(threshold))")
        entry(##"<rect x="\##(n(lx))" y="\##(n(ly - 6))" width="18" height="12" fill="#1f77b4" fill-opacity="0.35"/>"##, "events (\(events.count))")
        entry(##"<rect x="\##(n(lx))" y="\##(n(ly - 6))" width="18" height="12" fill="#ff7f0e"/>"##, "labels (\(labels.count))")
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: - Helpers

    /// Ticks 0, s, 2s, … up to and including the first multiple ≥ `maxValue`, with s = 1, 2 or 5 × 10^k
    /// chosen for about 5 to 10 ticks.
    static func niceTicks(upTo maxValue: Double) -> [Double] {
        guard maxValue > 0, maxValue.isFinite else { return [0, 1] }
        let raw = maxValue / 8
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let count = Int((maxValue / step).rounded(.up))
        return (0...max(1, count)).map { (Double($0) * step * 1e9).rounded() / 1e9 }
    }

    /// Time ticks: ``niceTicks(upTo:)`` below 10 minutes, else whole minutes (1, 2, 5, 10, 15, 20, 30, 60 … min apart).
    static func timeTicks(upTo span: Double) -> [Double] {
        guard span >= 600, span.isFinite else { return niceTicks(upTo: span) }
        let minutes: [Double] = [1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 360, 720, 1440]
        let step = 60 * (minutes.first { 60 * $0 >= span / 8 } ?? minutes.last!)
        return (0...Int((span / step).rounded(.up))).map { Double($0) * step }
    }

    /// 0 and the powers of ten from 0.01 up to the first one ≥ `maxValue`.
    static func logTicks(upTo maxValue: Double) -> [Double] {
        var ticks: [Double] = [0]
        var t = 0.01
        repeat {
            ticks.append(t)
            t *= 10
        } while ticks.last! < maxValue && t <= 1000
        return ticks.map { Double(String(format: "%g", $0))! }
    }

    /// Points reduced to first/min/max/last per pixel column, in x order.
    static func envelope(_ points: [(Double, Double)], columns: Int) -> [(Double, Double)] {
        guard points.count > 4 * max(columns, 1) else { return points }
        var out: [(Double, Double)] = []
        var bucket: [(Double, Double)] = []
        var column = Int.min
        func flush() {
            guard let first = bucket.first, let last = bucket.last else { return }
            let low = bucket.min { $0.1 < $1.1 }!, high = bucket.max { $0.1 < $1.1 }!
            let middle = low.0 <= high.0 ? [low, high] : [high, low]
            for p in [first] + middle + [last] where out.last.map({ $0 != p }) ?? true { out.append(p) }
            bucket.removeAll(keepingCapacity: true)
        }
        for p in points {
            let c = Int(p.0.rounded(.down))
            if c != column { flush(); column = c }
            bucket.append(p)
        }
        flush()
        return out
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e9 ? String(Int(v)) : String(format: "%g", v)
    }

    static func seconds(_ t: Double) -> String { String(format: "%.2fs", t) }

    static func timeLabel(_ t: Double, span: Double) -> String {
        guard span >= 600 else { return number(t) }
        let whole = Int(t.rounded())
        return String(format: "%d:%02d", whole / 60, whole % 60)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// A plot that cannot be written (wrong format or an I/O failure).
public struct PlotError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
