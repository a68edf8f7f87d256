#if canImport(ProxyCore)
import ProxyCore  // absent when the fuzz harness compiles this folder with ProxyCore/JSON in one module
#endif

/// Frames a Kubernetes watch body (newline-delimited JSON events) into `WatchEvent`s,
/// incrementally, from whatever pieces the transport delivers.
///
/// Pure value; owned by the one thread that receives the stream (the curl write
/// callback). A receive boundary is not an event boundary: one `feed` may carry half an
/// event or several. Lines are framed on bytes (`\n`; a `\r` before it and blank lines
/// are tolerated) and each is capped at `maxLineBytes`, so a peer cannot make us buffer
/// without bound. After an error every later `feed` throws the same error: reconnect.
package struct WatchEventDecoder: Sendable {
    /// The longest event line accepted, newline excluded.
    package let maxLineBytes: Int
    /// Bytes of a line whose newline has not arrived yet.
    private var partial: [UInt8] = []
    private var failure: WatchDecodeError?

    /// `maxLineBytes` defaults to 16 MiB: above the API server's 3 MiB object limit (etcd's
    /// 1.5 MiB request limit, JSON-escaped twice over), far below what hurts the process.
    package init(maxLineBytes: Int = 16 << 20) {
        precondition(maxLineBytes > 0, "maxLineBytes must be positive")
        self.maxLineBytes = maxLineBytes
    }

    /// How many bytes wait for a newline. Non-zero at the end of the stream means the last
    /// event was cut off (the connection ended mid-event).
    package var bufferedByteCount: Int { partial.count }

    /// Decodes every complete line in `bytes` (with what earlier calls left) and calls
    /// `onEvent` for each, in order.
    package mutating func feed(_ bytes: UnsafeRawBufferPointer, onEvent: (WatchEvent) -> Void) throws(WatchDecodeError) {
        if let failure { throw failure }
        var start = 0
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                guard partial.count + (bytes.count - start) <= maxLineBytes else { throw fail(.lineTooLong(limit: maxLineBytes)) }
                partial.append(contentsOf: bytes[start...])
                return
            }
            guard partial.count + (newline - start) <= maxLineBytes else { throw fail(.lineTooLong(limit: maxLineBytes)) }
            let result: Result<WatchEvent?, WatchDecodeError>
            if partial.isEmpty {
                // The common case: the whole line is in this piece; decode it in place.
                result = Self.decodeLine(UnsafeRawBufferPointer(rebasing: bytes[start..<newline]))
            } else {
                partial.append(contentsOf: bytes[start..<newline])
                result = partial.withUnsafeBytes { Self.decodeLine($0) }
                // Keep a normal-sized buffer for the next split event; give a huge one back.
                if partial.capacity > 64 * 1024 { partial = [] } else { partial.removeAll(keepingCapacity: true) }
            }
            switch result {
            case .success(let event?): onEvent(event)
            case .success(nil): break
            case .failure(let error): throw fail(error)
            }
            start = newline + 1
        }
    }

    private mutating func fail(_ error: WatchDecodeError) -> WatchDecodeError {
        failure = error
        partial = []
        return error
    }

    /// One line to an event; nil for a blank line.
    static func decodeLine(_ line: UnsafeRawBufferPointer) -> Result<WatchEvent?, WatchDecodeError> {
        var end = line.count
        while end > 0, line[end - 1] == UInt8(ascii: "\r") || line[end - 1] == UInt8(ascii: " ") || line[end - 1] == UInt8(ascii: "\t") {
            end -= 1
        }
        if end == 0 { return .success(nil) }
        let value: JSONValue
        do {
            value = try JSONParser.parse(UnsafeRawBufferPointer(rebasing: line[0..<end]))
        } catch {
            return .failure(.invalidJSON(error))
        }
        guard case .object(let members) = value else { return .failure(.invalidEvent("not a JSON object")) }
        guard let typeName = members["type"]?.stringValue else { return .failure(.invalidEvent("no string \"type\"")) }
        guard let kind = WatchEvent.Kind(rawValue: typeName) else { return .failure(.invalidEvent("unknown type \"\(typeName)\"")) }
        guard let object = members["object"], case .object = object else { return .failure(.invalidEvent("no \"object\" object")) }
        return .success(WatchEvent(kind: kind, object: object))
    }
}
