internal import CSeccamFFmpeg

extension Frame {
    /// The frame's time as OpenCV's FFmpeg capture reports it (`CAP_PROP_POS_MSEC`), which dvr-scan's `--use-pts`
    /// mode reads: the frame's `pts`, or its `pkt_dts` when `pts` is missing or 0, minus the stream's start time,
    /// in milliseconds, computed in OpenCV's order (`(ticks - start) * (num / den) * 1000`). 0 when the frame has
    /// neither timestamp. A stream without a start time counts from 0.
    public func openCVMilliseconds(in stream: StreamInfo) -> Double {
        let nopts = cseccam_nopts_value()
        let pts = raw.pointee.pts
        let ticks = pts != nopts && pts != 0 ? pts : raw.pointee.pkt_dts
        guard ticks != nopts else { return 0 }
        let start = stream.startTime?.ticks ?? 0
        return Double(ticks &- start) * stream.timeBase.doubleValue * 1000
    }
}
