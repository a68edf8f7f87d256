extension HTTP1RequestParser {
    /// The path (normalised as `HTTPRequestHead.path`) of the request whose head starts `buffer`,
    /// the bytes the parser has not consumed, when its request line arrived whole and is valid;
    /// nil otherwise. For the answers a server gives before a head is complete (a 431, a 413
    /// declared by `Content-Length`, a header timeout…), whose error shape follows the path's API.
    ///
    /// Looks at the request line only (after any leading empty lines), so the cost is bounded by
    /// `limits.maxRequestLineBytes` whatever the buffer holds.
    package func pathOfPendingHead(_ buffer: UnsafeRawBufferPointer) -> Substring? {
        var start = 0
        // RFC 9112 §2.2: empty lines before the request line are ignored.
        while start + 1 < buffer.count && buffer[start] == HTTP1Bytes.cr && buffer[start + 1] == HTTP1Bytes.lf { start += 2 }
        let searchEnd = min(buffer.count, start + limits.maxRequestLineBytes + 1)
        guard let end = buffer[start..<searchEnd].firstIndex(of: HTTP1Bytes.cr),
              end + 1 < buffer.count, buffer[end + 1] == HTTP1Bytes.lf,
              let line = try? RequestLine(buffer, start..<end)
        else { return nil }
        let target = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[line.target]), as: UTF8.self)
        return (try? HTTPRequestHead(method: line.method, target: target))?.path
    }
}
