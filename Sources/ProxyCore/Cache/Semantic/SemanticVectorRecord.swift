/// A vector of the semantic tier as the Redis tier keeps it, one field of its scope's hash: when
/// it was stored (wall-clock milliseconds: the oldest go first past the bound), then its
/// components as little-endian `Float`s.
///
/// Pure; call from any thread.
package struct SemanticVectorRecord: Hashable, Sendable {
    package let vector: SemanticVector
    package let storedAtMilliseconds: UInt64

    package init(vector: SemanticVector, storedAtMilliseconds: UInt64) {
        self.vector = vector
        self.storedAtMilliseconds = storedAtMilliseconds
    }

    package func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + vector.dimensions * 4)
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: storedAtMilliseconds >> UInt64(shift))) }
        for component in vector.components {
            let bits = component.bitPattern
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
        }
        return bytes
    }

    /// The record in `bytes`; nil when they are not one (another length, no direction).
    package static func decode(_ bytes: [UInt8]) -> SemanticVectorRecord? {
        guard bytes.count > 8, (bytes.count - 8) % 4 == 0 else { return nil }
        var storedAt: UInt64 = 0
        for index in 0..<8 { storedAt |= UInt64(bytes[index]) << UInt64(index * 8) }
        var values: [Double] = []
        values.reserveCapacity((bytes.count - 8) / 4)
        var offset = 8
        while offset < bytes.count {
            var bits: UInt32 = 0
            for index in 0..<4 { bits |= UInt32(bytes[offset + index]) << UInt32(index * 8) }
            values.append(Double(Float(bitPattern: bits)))
            offset += 4
        }
        guard let vector = SemanticVector(values) else { return nil }
        return SemanticVectorRecord(vector: vector, storedAtMilliseconds: storedAt)
    }
}
