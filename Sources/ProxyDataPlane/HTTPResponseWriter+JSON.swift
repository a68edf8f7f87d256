import ProxyCore
import ProxyHTTPServer

extension HTTPResponseWriter {
    /// A complete JSON answer, pretty-printed (admin and health endpoints are read by people).
    func respondJSON(_ status: Int, _ value: JSONValue) {
        var body = JSONWriter.write(value, options: [.pretty])
        body.append(UInt8(ascii: "\n"))
        respond(status: status, headers: ["content-type": "application/json"], body: body)
    }
}
