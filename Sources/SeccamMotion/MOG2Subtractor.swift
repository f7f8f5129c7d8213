internal import CSeccamMOG2

/// OpenCV 4.12's MOG2 as dvr-scan configures it (history 500, 5 modes, no shadows; DVR-SCAN.md §2.1–§2.3).
///
/// All arithmetic is IEEE float32 without fused multiply-add, so masks equal OpenCV's bit for bit.
/// State lives in buffers allocated once; `apply` does not allocate.
public final class MOG2Subtractor: BackgroundSubtractor {
    public let width: Int
    public let height: Int
    /// The code path used by `apply`.
    public let implementation: SubtractorImplementation

    /// Per-frame constants of the update (§2.1, §2.2).
    struct Parameters {
        var alphaT: Float
        var alpha1: Float
        var prune: Float
        let varianceThreshold: Float
        let backgroundRatio: Float = 0.9
        let generativeThreshold: Float = 9
        let varianceInit: Float = 15
        let varianceMin: Float = 4
        let varianceMax: Float = 75

        /// The same constants as the C kernels take them.
        var constants: cseccam_mog2_params {
            cseccam_mog2_params(alpha_t: alphaT, alpha_1: alpha1, prune: prune, var_threshold: varianceThreshold,
                                background_ratio: backgroundRatio, var_threshold_gen: generativeThreshold,
                                var_init: varianceInit, var_min: varianceMin, var_max: varianceMax)
        }
    }

    static let history = 500
    static let modeLimit = 5
    /// Floats per chunk of 8 pixels: 5 modes x (weight, variance, mean) x 8 lanes.
    static let chunkFloats = 120
    /// Pixels the band workers update together: 16 for the AVX-512 kernel, 8 for every other path.
    private let chunkPixels: Int

    private let learningRate: Double
    /// The constants shared by every frame; each frame sets its own learning rate (see `advance()`).
    private let baseParameters: Parameters
    private var frames = 0
    private let chunks: Int
    /// Chunked model: chunk c, mode m, field f (0 weight, 1 variance, 2 mean), lane l at c*120 + m*24 + f*8 + l;
    /// with the AVX-512 kernel, chunks of 16 pixels at c*240 + m*48 + f*16 + l (`cseccam_mog2.h`). 64-byte aligned.
    private let model: UnsafeMutableRawPointer
    /// Used mode count per pixel (padded to whole chunks).
    private let modes: UnsafeMutablePointer<UInt8>
    /// The frames and masks of the `apply` call in progress, for the band workers.
    private var frameSource: UnsafePointer<UInt8>?
    private var frameMask: UnsafeMutablePointer<UInt8>?
    private var frameCount = 0
    /// Each frame's constants for the `apply` call in progress; grows to the largest batch.
    private var frameParameters: UnsafeMutablePointer<Parameters>
    private var frameParametersCapacity = 1
    /// Which C kernel `work(_:)` runs, if any.
    private let nativeKernel: NativeKernel

    private enum NativeKernel {
        case none, avx2, avx512
    }

    /// Whether the CPU and OS support AVX2, so `.vectorized` uses the C kernel (`CSeccamMOG2`).
    public static let usesAVX2: Bool = cseccam_mog2_avx2_available() != 0
    /// Whether the CPU also has AVX-512 (F, VL, BW, DQ), so `.vectorized` uses the kernel built for AVX-512VL.
    public static let usesAVX512: Bool = cseccam_mog2_avx512_available() != 0

    /// Creates an empty model.
    ///
    /// - Parameters:
    ///   - varianceThreshold: `variance-threshold` (Tb); values <= 0 mean 16.
    ///   - learningRate: `learning-rate`; -1 means auto.
    public init(width: Int, height: Int, varianceThreshold: Double = 16, learningRate: Double = -1,
                implementation: SubtractorImplementation = .vectorized) {
        self.width = width
        self.height = height
        self.implementation = implementation
        switch implementation {
        case .vectorized: nativeKernel = Self.usesAVX512 ? .avx512 : Self.usesAVX2 ? .avx2 : .none
        case .avx2: nativeKernel = Self.usesAVX2 ? .avx2 : .none
        case .reference, .portableVectorized: nativeKernel = .none
        }
        self.learningRate = learningRate
        baseParameters = Parameters(alphaT: 0, alpha1: 1, prune: 0,
                                    varianceThreshold: Float(varianceThreshold > 0 ? varianceThreshold : 16))
        frameParameters = .allocate(capacity: frameParametersCapacity)
        frameParameters.initialize(to: baseParameters)
        chunkPixels = nativeKernel == .avx512 ? 16 : 8
        chunks = (width * height + chunkPixels - 1) / chunkPixels
        let bytes = max(1, chunks) * chunkPixels * (Self.chunkFloats / 8) * MemoryLayout<Float>.stride
        model = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        model.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        modes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, chunks) * chunkPixels)
        modes.initialize(repeating: 0, count: max(1, chunks) * chunkPixels)
    }

    deinit {
        model.deallocate()
        modes.deallocate()
        frameParameters.deinitialize(count: frameParametersCapacity)
        frameParameters.deallocate()
    }

    public func apply(_ gray: UnsafeBufferPointer<UInt8>, mask: UnsafeMutableBufferPointer<UInt8>) {
        apply(frames: gray, count: 1, masks: mask)
    }

    /// Updates the model with `count` frames in order and writes their masks; the same masks as `count` calls of
    /// `apply(_:mask:)`. The C kernels take a batch a tile of the model at a time, which keeps the tile in the
    /// cache for all its frames (DVR-SCAN.md §2.3 is per pixel, so the order across pixels does not matter).
    public func apply(frames gray: UnsafeBufferPointer<UInt8>, count: Int, masks: UnsafeMutableBufferPointer<UInt8>) {
        let pixels = width * height
        precondition(count >= 0 && gray.count == pixels * count && masks.count == pixels * count,
                     "MOG2Subtractor: buffer size mismatch")
        // A learning rate of 1 or more rebuilds the model on every frame: one frame at a time.
        if learningRate >= 1 && count > 1 {
            for frame in 0..<count {
                apply(frames: gray.frame(frame, size: pixels), count: 1, masks: masks.frame(frame, size: pixels))
            }
            return
        }
        guard count > 0 else { return }
        if frames == 0 || learningRate >= 1 {
            modes.update(repeating: 0, count: chunks * chunkPixels)
            frames = 0
        }
        if count > frameParametersCapacity {
            frameParameters.deinitialize(count: frameParametersCapacity)
            frameParameters.deallocate()
            frameParametersCapacity = count
            frameParameters = .allocate(capacity: count)
            frameParameters.initialize(repeating: baseParameters, count: count)
        }
        for frame in 0..<count { frameParameters[frame] = advance() }
        guard pixels > 0, let source = gray.baseAddress, let target = masks.baseAddress else { return }
        switch implementation {
        case .reference:
            for frame in 0..<count {
                let p = frameParameters[frame]
                for pixel in 0..<pixels {
                    let base = model.assumingMemoryBound(to: Float.self) + (pixel >> 3) * Self.chunkFloats + (pixel & 7)
                    var used = Int(modes[pixel])
                    let foreground = Self.updatePixel(base, modes: &used, x: Float(source[frame * pixels + pixel]), p)
                    modes[pixel] = UInt8(used)
                    target[frame * pixels + pixel] = foreground ? 255 : 0
                }
            }
        case .vectorized, .avx2, .portableVectorized:
            frameSource = source
            frameMask = target
            frameCount = count
            ParallelBands.run(count: chunks, minimumBand: 8192 / chunkPixels, self)
            frameSource = nil
            frameMask = nil
            frameCount = 0
        }
    }

    /// Counts one more frame and returns its constants: the learning rate is `learning-rate`, or with auto
    /// 1 / min(2 · frames, history) (§2.2).
    private func advance() -> Parameters {
        frames += 1
        let rate = learningRate >= 0 && frames > 1 ? learningRate : 1.0 / Double(min(2 * frames, Self.history))
        var p = baseParameters
        p.alphaT = Float(rate)
        p.alpha1 = 1 - p.alphaT
        p.prune = Float(-rate * Double(Float(0.05)))
        return p
    }

    // MARK: - Reference path (DVR-SCAN.md §2.3, literally)

    /// Updates one pixel whose mode slots start at `base` (weight at `m*24`, variance `+8`, mean `+16`).
    /// Returns whether the pixel is foreground.
    @inline(__always)
    static func updatePixel(_ base: UnsafeMutablePointer<Float>, modes: inout Int, x: Float,
                            _ p: Parameters) -> Bool {
        @inline(__always) func swapSlots(_ a: Int, _ b: Int) {
            for field in 0..<3 {
                let t = base[a * 24 + field * 8]
                base[a * 24 + field * 8] = base[b * 24 + field * 8]
                base[b * 24 + field * 8] = t
            }
        }
        var nmodes = modes
        var background = false
        var fits = false
        var totalWeight: Float = 0
        var mode = 0
        while mode < nmodes {
            var weight = p.alpha1 * base[mode * 24] + p.prune
            var swapCount = 0
            if !fits {
                let variance = base[mode * 24 + 8]
                let d = base[mode * 24 + 16] - x
                let dist2 = d * d
                if totalWeight < p.backgroundRatio && dist2 < p.varianceThreshold * variance {
                    background = true
                }
                if dist2 < p.generativeThreshold * variance {
                    fits = true
                    weight += p.alphaT
                    let k = p.alphaT / weight
                    base[mode * 24 + 16] -= k * d
                    var varianceNew = variance + k * (dist2 - variance)
                    varianceNew = varianceNew < p.varianceMin ? p.varianceMin : varianceNew
                    varianceNew = varianceNew > p.varianceMax ? p.varianceMax : varianceNew
                    base[mode * 24 + 8] = varianceNew
                    var i = mode
                    while i > 0 {
                        if weight < base[(i - 1) * 24] {
                            break
                        }
                        swapCount += 1
                        swapSlots(i, i - 1)
                        i -= 1
                    }
                }
            }
            if weight < -p.prune {
                weight = 0
                nmodes -= 1
            }
            base[(mode - swapCount) * 24] = weight
            totalWeight += weight
            mode += 1
        }
        let inverse: Float = abs(totalWeight) > Float.ulpOfOne ? 1 / totalWeight : 0
        for m in 0..<nmodes {
            base[m * 24] *= inverse
        }
        if !fits && p.alphaT > 0 {
            let slot: Int
            if nmodes == modeLimit {
                slot = modeLimit - 1
            } else {
                slot = nmodes
                nmodes += 1
            }
            if nmodes == 1 {
                base[slot * 24] = 1
            } else {
                base[slot * 24] = p.alphaT
                for i in 0..<(nmodes - 1) {
                    base[i * 24] *= p.alpha1
                }
            }
            base[slot * 24 + 16] = x
            base[slot * 24 + 8] = p.varianceInit
            var i = nmodes - 1
            while i > 0 {
                if p.alphaT < base[(i - 1) * 24] {
                    break
                }
                swapSlots(i, i - 1)
                i -= 1
            }
        }
        modes = nmodes
        return !background
    }

    // MARK: - Vectorized path (8 pixels in lockstep, lanes masked by their own mode count)

    // Integer comparisons against a scalar compile to per-lane loops in Swift 6.3; always compare
    // against a splatted vector instead.
    typealias Lanes = SIMD8<Float>
    typealias Lane32 = SIMD8<Int32>
    typealias LaneMask = SIMDMask<SIMD8<Int32>>

    /// Updates the 8 pixels of one chunk; returns the foreground lanes.
    @inline(__always)
    static func updateChunk(_ chunk: UnsafeMutableRawPointer, modes: inout SIMD8<Int32>, x: Lanes,
                            _ p: Parameters) -> LaneMask {
        // Slot row r (= mode*3 + field) holds 8 lanes at byte offset r*32.
        @inline(__always) func load(_ row: Int) -> Lanes {
            chunk.load(fromByteOffset: row * 32, as: Lanes.self)
        }
        @inline(__always) func store(_ row: Int, _ value: Lanes) {
            chunk.storeBytes(of: value, toByteOffset: row * 32, as: Lanes.self)
        }
        @inline(__always) func swapSlots(_ a: Int, _ b: Int, where lanes: LaneMask) {
            for field in 0..<3 {
                let va = load(a * 3 + field)
                let vb = load(b * 3 + field)
                store(a * 3 + field, va.replacing(with: vb, where: lanes))
                store(b * 3 + field, vb.replacing(with: va, where: lanes))
            }
        }
        var nmodes = modes
        var background = LaneMask(repeating: false)
        var fits = LaneMask(repeating: false)
        var totalWeight = Lanes(repeating: 0)
        for mode in 0..<modeLimit {
            let active = nmodes .> Lane32(repeating: Int32(mode))
            if !any(active) {
                break
            }
            var weight = p.alpha1 * load(mode * 3) + p.prune
            var swapCount = Lane32(repeating: 0)
            let unfitted = active .& .!fits
            if any(unfitted) {
                let variance = load(mode * 3 + 1)
                let mean = load(mode * 3 + 2)
                let d = mean - x
                let dist2 = d * d
                background .|= unfitted .& (totalWeight .< p.backgroundRatio)
                    .& (dist2 .< p.varianceThreshold * variance)
                let match = unfitted .& (dist2 .< p.generativeThreshold * variance)
                if any(match) {
                    fits .|= match
                    weight.replace(with: weight + p.alphaT, where: match)
                    let k = p.alphaT / weight
                    store(mode * 3 + 2, mean.replacing(with: mean - k * d, where: match))
                    var varianceNew = variance + k * (dist2 - variance)
                    varianceNew.replace(with: p.varianceMin, where: varianceNew .< p.varianceMin)
                    varianceNew.replace(with: p.varianceMax, where: varianceNew .> p.varianceMax)
                    store(mode * 3 + 1, variance.replacing(with: varianceNew, where: match))
                    var moving = match
                    var i = mode
                    while i > 0 {
                        moving .&= .!(weight .< load((i - 1) * 3))
                        if !any(moving) {
                            break
                        }
                        swapSlots(i, i - 1, where: moving)
                        swapCount.replace(with: swapCount &+ Lane32(repeating: 1), where: moving)
                        i -= 1
                    }
                }
            }
            let pruned = active .& (weight .< -p.prune)
            weight.replace(with: 0, where: pruned)
            nmodes.replace(with: nmodes &- Lane32(repeating: 1), where: pruned)
            let position = Lane32(repeating: Int32(mode)) &- swapCount
            for j in 0...mode {
                let here = active .& (position .== Lane32(repeating: Int32(j)))
                if any(here) {
                    store(j * 3, load(j * 3).replacing(with: weight, where: here))
                }
            }
            totalWeight.replace(with: totalWeight + weight, where: active)
        }
        var inverse = Lanes(repeating: 1) / totalWeight
        inverse.replace(with: 0, where: .!((totalWeight .> Float.ulpOfOne) .| (totalWeight .< -Float.ulpOfOne)))
        // Untouched slots are neither loaded nor stored: memory traffic dominates at large sizes.
        for m in 0..<modeLimit {
            let used = nmodes .> Lane32(repeating: Int32(m))
            if !any(used) {
                break
            }
            let w = load(m * 3)
            store(m * 3, w.replacing(with: w * inverse, where: used))
        }
        let adding = .!fits
        if p.alphaT > 0 && any(adding) {
            let full = nmodes .== Lane32(repeating: Int32(modeLimit))
            let slot = nmodes.replacing(with: Lane32(repeating: Int32(modeLimit - 1)), where: full)
            let grown = nmodes.replacing(with: nmodes &+ Lane32(repeating: 1), where: adding .& .!full)
            let newWeight = Lanes(repeating: p.alphaT).replacing(with: 1, where: grown .== Lane32(repeating: 1))
            for j in 0..<modeLimit {
                let isSlot = adding .& (slot .== Lane32(repeating: Int32(j)))
                let decays = adding .& (grown .> Lane32(repeating: Int32(j + 1)))
                if !any(isSlot .| decays) {
                    continue
                }
                var w = load(j * 3)
                w.replace(with: w * p.alpha1, where: decays)
                w.replace(with: newWeight, where: isSlot)
                store(j * 3, w)
                store(j * 3 + 1, load(j * 3 + 1).replacing(with: p.varianceInit, where: isSlot))
                store(j * 3 + 2, load(j * 3 + 2).replacing(with: x, where: isSlot))
            }
            nmodes.replace(with: grown, where: adding)
            var moving = adding
            for i in stride(from: modeLimit - 1, through: 1, by: -1) {
                let testing = moving .& (nmodes .> Lane32(repeating: Int32(i)))
                if !any(testing) {
                    continue
                }
                let stops = testing .& (p.alphaT .< load((i - 1) * 3))
                moving .&= .!stops
                let swapping = testing .& .!stops
                if any(swapping) {
                    swapSlots(i, i - 1, where: swapping)
                }
            }
        }
        modes = nmodes
        return .!background
    }
}

extension MOG2Subtractor: BandWork {
    /// Runs the vectorized update of the current frames over a band of chunks (`chunkPixels` pixels each).
    func work(_ band: Range<Int>) {
        guard let source = frameSource, let target = frameMask else { return }
        let count = width * height
        if nativeKernel != .none {
            withUnsafeTemporaryAllocation(of: cseccam_mog2_params.self, capacity: frameCount) { constants in
                for frame in 0..<frameCount { constants.initializeElement(at: frame, to: frameParameters[frame].constants) }
                let model = model.assumingMemoryBound(to: Float.self)
                if nativeKernel == .avx512 {
                    cseccam_mog2_update_avx512(model, modes, source, target, count, frameCount, constants.baseAddress,
                                               band.lowerBound, band.upperBound)
                } else {
                    cseccam_mog2_update_avx2(model, modes, source, target, count, frameCount, constants.baseAddress,
                                             band.lowerBound, band.upperBound)
                }
            }
            return
        }
        for frame in 0..<frameCount {
            let parameters = frameParameters[frame]
            let source = source + frame * count, target = target + frame * count
            for chunk in band {
                let first = chunk * 8
                let valid = min(8, count - first)
                var x = SIMD8<UInt8>()
                if valid == 8 {
                    x = UnsafeRawPointer(source + first).loadUnaligned(as: SIMD8<UInt8>.self)
                } else {
                    for lane in 0..<valid { x[lane] = source[first + lane] }
                }
                let modeBytes = UnsafeMutableRawPointer(modes + first)
                var used = SIMD8<Int32>(truncatingIfNeeded: modeBytes.load(as: SIMD8<UInt8>.self))
                let foreground = Self.updateChunk(model + chunk * Self.chunkFloats * 4, modes: &used,
                                                  x: SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: x)), parameters)
                modeBytes.storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: used), as: SIMD8<UInt8>.self)
                let bytes = SIMD8<UInt8>(truncatingIfNeeded: Lane32(repeating: 0).replacing(with: Lane32(repeating: 255), where: foreground))
                if valid == 8 {
                    UnsafeMutableRawPointer(target + first).storeBytes(of: bytes, as: SIMD8<UInt8>.self)
                } else {
                    for lane in 0..<valid { target[first + lane] = bytes[lane] }
                }
            }
        }
    }
}
