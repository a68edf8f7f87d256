extension HTTPHeaders {
    /// A field name or value received as bytes, as a `String`. The values nearly every LLM request
    /// and answer carries (`Content-Type`, `Accept`) are one byte too long for Swift's in-place
    /// small strings: they come back as literals, which allocate nothing (a string of 15 bytes or
    /// fewer never allocates either).
    package static func fieldString(_ bytes: UnsafeRawBufferPointer) -> String {
        switch bytes.count {
        case 16 where HTTP1Bytes.equals(bytes, "application/json"): "application/json"
        case 17 where HTTP1Bytes.equals(bytes, "text/event-stream"): "text/event-stream"
        case 31 where HTTP1Bytes.equals(bytes, "application/json; charset=utf-8"): "application/json; charset=utf-8"
        default: String(decoding: bytes, as: UTF8.self)
        }
    }
}
