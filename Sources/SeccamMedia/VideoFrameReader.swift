/// Demuxes and decodes the best video stream of an input, one picture at a time (the canonical
/// `demux_decode.c` loop as a pull API). Every packet read, of any stream, is shown to the caller first
/// so that it can keep it (pre-roll buffer) before decoding.
public final class VideoFrameReader {
    public let demuxer: Demuxer
    public let decoder: VideoDecoder
    /// The video stream being decoded.
    public let videoStream: StreamInfo
    private var packet: Packet
    private var inputEnded = false

    /// Opens a decoder for the demuxer's best video stream.
    /// - Throws: ``MediaError`` `streamNotFound` when the input has no video.
    public init(demuxer: Demuxer, threads: Int = 0) throws(MediaError) {
        guard let index = demuxer.videoStreamIndex else {
            throw MediaError(code: .streamNotFound, operation: "finding a video stream in \(demuxer.source.redacted)",
                             call: "av_find_best_stream", reason: "the input has no video stream")
        }
        self.demuxer = demuxer
        self.videoStream = demuxer.stream(index)
        self.decoder = try demuxer.makeDecoder(streamIndex: index, threads: threads)
        self.packet = try Packet()
    }

    /// Decodes the next picture into `frame`.
    /// - Parameter onPacket: sees every packet read along the way (any stream) before it is decoded.
    /// - Returns: false once the input ended and the decoder is drained.
    @available(*, noasync, message: "blocks; call from a pipeline thread")
    public func nextFrame<E: Error>(
        into frame: inout Frame, onPacket: (borrowing Packet) throws(E) -> Void
    ) throws(ReaderError<E>) -> Bool {
        while true {
            let step: DecodeStep
            do { step = try decoder.receive(into: &frame) } catch { throw .media(error) }
            switch step {
            case .frame: return true
            case .drained: return false
            case .needsInput:
                let gotPacket: Bool
                do { gotPacket = try readPacketOrFinish() } catch { throw .media(error) }
                guard gotPacket else { continue }
                do { try onPacket(packet) } catch { throw .consumer(error) }
                if packet.streamIndex == videoStream.index {
                    do { try decoder.send(packet) } catch { throw .media(error) }
                }
            }
        }
    }

    /// ``nextFrame(into:onPacket:)`` for callers that do not look at packets.
    @available(*, noasync, message: "blocks; call from a pipeline thread")
    public func nextFrame(into frame: inout Frame) throws(MediaError) -> Bool {
        do {
            return try nextFrame(into: &frame) { (_: borrowing Packet) throws(Never) in }
        } catch {
            switch error {
            case .media(let media): throw media
            case .consumer(let never): switch never {}
            }
        }
    }

    /// Reads one packet; at the end of input tells the decoder to drain and returns false.
    private func readPacketOrFinish() throws(MediaError) -> Bool {
        if !inputEnded, try demuxer.read(into: &packet) == .packet { return true }
        inputEnded = true
        try decoder.sendEndOfStream()
        return false
    }
}

/// A failure while reading frames: from the media layer, or thrown by the caller's packet handler.
public enum ReaderError<Consumer: Error>: Error {
    case media(MediaError)
    case consumer(Consumer)
}
