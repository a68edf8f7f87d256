/// Runs one built-in detector as a streaming matcher: each start is decided by the detector
/// reading at most `maxMatchLength + 1` bytes, or left pending when those have not arrived.
package struct GuardDetectorMatcher: GuardStreamingMatcher {
    package let detector: GuardDetector
    /// `detector.mayStart(with:)` for every byte value, so the scan loop does one load per byte.
    private let startBytes: [Bool]

    package init(_ detector: GuardDetector) {
        self.detector = detector
        startBytes = (0...255).map { detector.mayStart(with: UInt8($0)) }
    }

    package var maxMatchLength: Int { detector.maxMatchLength }

    package func scan(_ window: GuardWindow, from: Int, into candidates: inout [GuardCandidate]) -> Int {
        let bytes = window.bytes
        var start = from
        while start < window.end {
            if startBytes[Int(bytes[start - window.base])] {
                var cursor = GuardCursor(window: window, limit: start + detector.maxMatchLength + 1)
                let found = detector.match(at: start, &cursor)
                if cursor.ranOut { return start }
                if let found { candidates.append(GuardCandidate(range: start..<found.end, pattern: found.pattern)) }
            }
            start += 1
        }
        return window.end
    }
}
