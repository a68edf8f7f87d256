/// What one call to `HTTP1RequestParser.parse` found.
package enum HTTP1ParseEvent: Sendable, Hashable {
    /// Nothing more can be decided until more bytes arrive.
    case needMoreData
    /// A complete, valid request head. Its body (if any) follows as `.body` events, then `.end`.
    case head(HTTPRequestHead)
    /// Body bytes: indices into the buffer given to this call, within `0..<consumed`. The bytes
    /// are the caller's; copy or forward them before discarding the consumed part.
    case body(Range<Int>)
    /// The request is complete; `trailers` holds the trailer section of a chunked body (usually
    /// empty). The parser is ready for the next request on the connection.
    case end(trailers: HTTPHeaders)
    /// The request is invalid. Answer with `error.status` and close the connection; the parser
    /// stays in this state.
    case error(HTTP1ParseError)
}
