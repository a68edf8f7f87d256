import Testing
@testable import ProxyCore

/// `HTTPRequestHead`'s accessors.
@Suite struct HTTP1RequestHeadTests {
    @Test(arguments: [
        ("/", "/", nil),
        ("/v1/models", "/v1/models", nil),
        ("/v1/models?", "/v1/models", ""),
        ("/a?b=c?d", "/a", "b=c?d"),
        ("http://h", "/", nil),
        ("http://h?x=1", "/", "x=1"),
        ("https://h:443/p/q?x", "/p/q", "x"),
        ("*", "*", nil),
        ("/v1/x/../models?y=/../z", "/v1/models", "y=/../z"),
        ("http://h/a/./b/", "/a/b/", nil),
    ] as [(String, String, String?)])
    func pathAndQuerySplitTheTarget(_ target: String, _ path: String, _ query: String?) throws {
        let head = try HTTPRequestHead(method: .get, target: target)
        #expect(head.path == path[...])
        #expect(head.query.map(String.init) == query)
    }
}
