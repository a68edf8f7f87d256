/// Bounds the HTTP/1.1 request parser enforces on what a peer may send.
///
/// Each limit maps to the status the parser answers with when it is exceeded. Values are
/// immutable configuration: build one per listener and share it.
package struct HTTP1Limits: Sendable, Equatable {
    /// Longest request line, without its CRLF. Exceeding it answers 414 when the request target
    /// is what overflows (the method ended within the limit), 400 otherwise.
    package var maxRequestLineBytes: Int
    /// Longest head (or trailer section), leading empty lines and terminating CRLFs included (431).
    package var maxHeaderBytes: Int
    /// Most field lines in a head or a trailer section (431).
    package var maxHeaderCount: Int
    /// Largest body, declared (Content-Length, checked at head time) or cumulative (chunked) (413).
    package var maxBodyBytes: Int
    /// Longest chunk-size line (size plus extensions), without its CRLF (400).
    package var maxChunkLineBytes: Int

    package init(
        maxRequestLineBytes: Int = 8192,
        maxHeaderBytes: Int = 32768,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 8 << 20,
        maxChunkLineBytes: Int = 4096
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
    }

    /// The limits used when a listener configures none.
    package static let `default` = HTTP1Limits()
}
