/// An embedding as the semantic tier keeps it: `Float` components scaled to length 1 when
/// made, so the cosine similarity of two vectors is their dot product.
///
/// A plain value; pure.
package struct SemanticVector: Hashable, Sendable {
    package let components: [Float]

    /// `values` scaled to length 1; nil when empty, not finite, or of length 0 (no direction).
    package init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        var sum = 0.0
        for value in values {
            guard value.isFinite else { return nil }
            sum += value * value
        }
        guard sum > 0, sum.isFinite else { return nil }
        let scale = 1 / sum.squareRoot()
        components = values.map { Float($0 * scale) }
    }

    package var dimensions: Int { components.count }

    /// The cosine similarity with `other` (both have length 1): from −1 to 1. Vectors of
    /// different dimensions (another model) are unrelated: −1.
    package func similarity(to other: SemanticVector) -> Float {
        guard other.components.count == components.count else { return -1 }
        return components.withUnsafeBufferPointer { a in
            other.components.withUnsafeBufferPointer { b in Self.dot(a, b) }
        }
    }

    /// Eight lanes at a time: the scan of an index is this loop (see the semantic tier's ADR).
    private static func dot(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Float {
        let count = a.count
        var lanes = SIMD8<Float>()
        var index = 0
        if let pa = a.baseAddress, let pb = b.baseAddress {
            let rawA = UnsafeRawPointer(pa), rawB = UnsafeRawPointer(pb)
            while index + 8 <= count {
                let offset = index * MemoryLayout<Float>.stride
                lanes += rawA.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                    * rawB.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                index += 8
            }
        }
        var sum = lanes.sum()
        while index < count {
            sum += a[index] * b[index]
            index += 1
        }
        return sum
    }
}
