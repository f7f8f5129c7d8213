/// Frames stored back to back in one buffer (a batch of gray frames or of masks), `size` elements each.
extension UnsafeBufferPointer {
    /// Frame `index` of the frames stored back to back, `size` elements each.
    func frame(_ index: Int, size: Int) -> UnsafeBufferPointer<Element> {
        UnsafeBufferPointer(rebasing: self[(index * size)..<((index + 1) * size)])
    }
}

extension UnsafeMutableBufferPointer {
    /// Frame `index` of the frames stored back to back, `size` elements each.
    func frame(_ index: Int, size: Int) -> UnsafeMutableBufferPointer<Element> {
        UnsafeMutableBufferPointer(rebasing: self[(index * size)..<((index + 1) * size)])
    }
}
