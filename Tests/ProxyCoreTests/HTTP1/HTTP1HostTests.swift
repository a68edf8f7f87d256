import Testing
@testable import ProxyCore

/// Host (RFC 9112 §3.2, RFC 9110 §7.2, RFC 3986 §3.2.2): a table of field values the parser
/// accepts and refuses with 400 `invalid_host`.
@Suite struct HTTP1HostTests {
    private func parse(host: String) -> HTTP1ParseError? {
        var driver = HTTP1ParserDriver()
        driver.feed(bytes("GET /v1/models HTTP/1.1\r\nHost: \(host)\r\n\r\n")[...])
        return driver.outcome.error
    }

    @Test(arguments: [
        "", "localhost", "api.example.com", "api.example.com.", "a-b_c~d", "h:1", "h:4000", "h:65535", "h:0",
        "127.0.0.1", "127.0.0.1:8080", "[::1]", "[::1]:4000", "[::]", "[2001:db8::1]", "[2001:db8:0:0:0:0:2:1]",
        "[::ffff:192.0.2.128]", "[1:2:3:4:5:6:7::]", "[fe80::1:2]:65535", "xn--bcher-kva.example", "%41b",
        "sub.delims!$&'()*+,;=",
    ])
    func validHostsAreAccepted(_ host: String) {
        #expect(parse(host: host) == nil, "\(host)")
    }

    @Test(arguments: [
        "h:abc", "h:80:90", "[::1", "h:-1", ":80", ":", "h:", "h:65536", "h:123456", "[::1]x", "[::1]:", "[::1]:x",
        "[]", "[::1::2]", "[1:2:3:4:5:6:7:8:9]", "[1:2:3:4:5:6:7]", "[12345::]", "[::g]", "[1::2:]", "[:1::2]",
        "[::1.2.3]", "[::256.1.1.1]", "[::01.1.1.1]", "[fe80::1%25eth0]", "[v1.x]", "a/b", "u@h", "a b", "h%zz",
        "h%4", "::1", "h:80/",
    ])
    func invalidHostsAreA400(_ host: String) {
        #expect(parse(host: host)?.code == .invalidHost, "\(host)")
    }

    @Test func theAbsoluteFormAuthorityFollowsTheSameGrammar() {
        var driver = HTTP1ParserDriver()
        driver.feed(bytes("GET http://[::1]:8/v1/models HTTP/1.1\r\nHost: x\r\n\r\nGET http://h:99999/ HTTP/1.1\r\nHost: x\r\n\r\n")[...])
        #expect(driver.outcome.requests.first?.head.path == "/v1/models")
        #expect(driver.outcome.error?.code == .badRequest)
    }
}
