/// Where a single-pass `JSONSyntaxVisitor` is, without a stack: the recognised key of the
/// current member at each container depth 1...8, one byte per level of a `UInt64` (0: none or
/// not recognised); deeper levels hold nothing. Static functions of the packed value, so a
/// visitor calling them from its mutating methods is never copied.
enum JSONKeyPath {
    /// The key byte at `level`; 0 outside 1...8.
    static func key(in path: UInt64, at level: Int) -> UInt8 {
        guard level >= 1, level <= 8 else { return 0 }
        return UInt8(truncatingIfNeeded: path >> UInt64(8 * (level - 1)))
    }

    /// `path` with the key byte at `level` set to `key`; unchanged outside 1...8.
    static func setting(_ key: UInt8, at level: Int, in path: UInt64) -> UInt64 {
        guard level >= 1, level <= 8 else { return path }
        let shift = UInt64(8 * (level - 1))
        return (path & ~(0xFF << shift)) | (UInt64(key) << shift)
    }
}
