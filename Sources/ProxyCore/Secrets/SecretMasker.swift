/// Replaces every occurrence of one secret (a backend's key) in bytes passed on to a client,
/// so a provider that echoes the key in an error never hands it to the app.
///
/// The replacement is as many `*`s as the secret has bytes, so a `Content-Length` stays true,
/// JSON and header values stay valid, and no part of the key shows (a revealed tail could join
/// the text after it into the key again, for a key that repeats itself). Streaming: `feed` may split the input anywhere; bytes
/// that could be the start of the secret are held back (at most its length minus one) until
/// the next bytes tell, and `finish` releases them. Matching is KMP: linear in the input,
/// without backtracking. A plain value: copy it to keep a state, and commit the copy only once
/// its output was taken.
package struct SecretMasker: Sendable {
    /// Shorter keys are not masked: masking every `abc` in an error body would mangle it, and a
    /// key that short protects nothing.
    package static let minimumSecretBytes = 8

    /// What never changes, in one object: copying a masker (once per transfer, and to commit a
    /// state) retains one reference.
    private final class Table: Sendable {
        let secret: [UInt8]
        let replacement: [UInt8]
        /// KMP prefix function: `failure[i]` is the length of the longest proper prefix of
        /// `secret[0...i]` that is also a suffix of it.
        let failure: [Int]

        init(secret: [UInt8], replacement: [UInt8], failure: [Int]) {
            self.secret = secret
            self.replacement = replacement
            self.failure = failure
        }
    }

    private let table: Table
    /// How many bytes at the end of what was fed so far equal the secret's first bytes: held
    /// back, and always exactly `secret[0..<matched]`, so they need no storage of their own.
    private var matched = 0
    /// Occurrences masked so far.
    package private(set) var maskedCount = 0

    /// A masker for `secret`, or nil when it is shorter than `minimumSecretBytes`.
    package init?(secret: String) {
        let bytes = Array(secret.utf8)
        guard bytes.count >= Self.minimumSecretBytes else { return nil }
        var failure = [Int](repeating: 0, count: bytes.count)
        var k = 0
        for i in 1..<bytes.count {
            while k > 0, bytes[i] != bytes[k] { k = failure[k - 1] }
            if bytes[i] == bytes[k] { k += 1 }
            failure[i] = k
        }
        table = Table(secret: bytes, replacement: [UInt8](repeating: UInt8(ascii: "*"), count: bytes.count), failure: failure)
    }

    /// The secret's length in bytes: shorter values cannot hold it.
    package var secretLength: Int { table.secret.count }

    /// Whether bytes are held back waiting for the next ones.
    package var isHolding: Bool { matched > 0 }

    /// Masks `bytes`, which follow whatever was fed before, and passes the result to `emit` in
    /// order, in one or more pieces (possibly none, when everything is held back).
    package mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) -> Void) {
        let secret = table.secret
        let failure = table.failure
        let first = secret[0]
        var runStart = 0
        for i in 0..<bytes.count {
            let byte = bytes[i]
            if matched == 0 && byte != first { continue }  // part of a plain run, emitted in one piece
            if runStart < i { emit(UnsafeRawBufferPointer(rebasing: bytes[runStart..<i])) }
            runStart = i + 1
            while matched > 0, secret[matched] != byte {
                // The held bytes can no longer all be the secret: release those that fell out.
                let keep = failure[matched - 1]
                emitSecretPrefix(matched - keep, emit)
                matched = keep
            }
            if secret[matched] == byte {
                matched += 1
                if matched == secret.count {
                    table.replacement.withUnsafeBytes { emit($0) }
                    matched = 0
                    maskedCount += 1
                }
            } else {
                runStart = i  // a plain byte after all: it starts the next run
            }
        }
        if runStart < bytes.count { emit(UnsafeRawBufferPointer(rebasing: bytes[runStart...])) }
    }

    /// Releases the held-back bytes (the input ended: they were not the secret).
    package mutating func finish(_ emit: (UnsafeRawBufferPointer) -> Void) {
        if matched > 0 { emitSecretPrefix(matched, emit) }
        matched = 0
    }

    /// `value` with every occurrence of the secret masked; `value` itself when there is none.
    /// Allocates only when there is something to mask.
    package func masking(_ value: String) -> String {
        guard value.utf8.count >= table.secret.count else { return value }
        var scan = self
        scan.matched = 0
        withBytes(of: value) { scan.feed($0) { _ in } }
        guard scan.maskedCount > maskedCount else { return value }
        var copy = self
        copy.matched = 0
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        withBytes(of: value) { copy.feed($0) { out.append(contentsOf: $0) } }
        copy.finish { out.append(contentsOf: $0) }
        return String(decoding: out, as: UTF8.self)
    }

    private func withBytes(of value: String, _ body: (UnsafeRawBufferPointer) -> Void) {
        if value.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) == nil {
            Array(value.utf8).withUnsafeBytes(body)
        }
    }

    private func emitSecretPrefix(_ count: Int, _ emit: (UnsafeRawBufferPointer) -> Void) {
        table.secret.withUnsafeBytes { emit(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }
}
