/// A byte-wise glob: `*` matches any run of bytes (also none), `?` exactly one byte, every
/// other byte itself. No escapes and no classes; case-sensitive. Matching does not allocate
/// and takes at most pattern × subject steps.
package struct GlobPattern: Hashable, Sendable {
    /// The pattern's UTF-8 bytes.
    package let bytes: [UInt8]

    /// A glob from its config text.
    package init(_ pattern: String) { bytes = Array(pattern.utf8) }

    /// Whether the whole of `subject` matches.
    package func matches(_ subject: UnsafeBufferPointer<UInt8>) -> Bool {
        let star = UInt8(ascii: "*")
        let any = UInt8(ascii: "?")
        var p = 0
        var s = 0
        var starPattern = -1
        var starSubject = 0
        while s < subject.count {
            if p < bytes.count, bytes[p] != star, bytes[p] == any || bytes[p] == subject[s] {
                p += 1
                s += 1
            } else if p < bytes.count, bytes[p] == star {
                // Let the star match nothing for now; remember where to widen it.
                starPattern = p
                starSubject = s
                p += 1
            } else if starPattern >= 0 {
                starSubject += 1
                s = starSubject
                p = starPattern + 1
            } else {
                return false
            }
        }
        while p < bytes.count, bytes[p] == star { p += 1 }
        return p == bytes.count
    }

    /// Whether the whole of `subject`'s UTF-8 matches.
    package func matches(_ subject: String) -> Bool {
        if let result = subject.utf8.withContiguousStorageIfAvailable({ matches($0) }) { return result }
        return Array(subject.utf8).withUnsafeBufferPointer { matches($0) }
    }
}
