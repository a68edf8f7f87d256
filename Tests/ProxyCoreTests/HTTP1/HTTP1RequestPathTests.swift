import Testing
@testable import ProxyCore

/// `RequestPath`: dot segments removed as RFC 3986 §5.2.4 does (percent-encoded ones too),
/// climbs above the root and separator look-alikes refused. Named HTTP1… so
/// `swift test --filter HTTP1` runs it.
@Suite struct HTTP1RequestPathTests {
    @Test(arguments: [
        ("/", nil),
        ("/v1/chat/completions", nil),
        ("/v1/models/", nil),
        ("//a//b", nil),
        ("/a.b/..c/c../.../%2e%2e%2e/x.", nil),
        ("/a/%41%2e", nil),
        ("/v1/x/../chat/completions", "/v1/chat/completions"),
        ("/a/b/c/./../../g", "/a/g"),
        ("/./a", "/a"),
        ("/.", "/"),
        ("/a/.", "/a/"),
        ("/a/..", "/"),
        ("/a/b/..", "/a/"),
        ("/a/b/../", "/a/"),
        ("/a//../b", "/a/b"),
        ("/v1/%2e%2e/models", "/models"),
        ("/v1/x/%2E%2e/y/.%2E/models", "/v1/models"),
        ("/v1/x/%2E%2e/y/.%2E/%2e./models", "/models"),
        ("/v1/%2e/models", "/v1/models"),
        ("/a/b/%2e%2E", "/a/"),
    ] as [(String, String?)])
    func dotSegmentsAreRemoved(_ path: String, _ expected: String?) {
        let result = RequestPath.normalize(path[...])
        if let expected {
            #expect(result == .success(.rewritten(expected)))
            // Normal form is a fixed point.
            #expect(RequestPath.normalize(expected[...]) == .success(.unchanged))
        } else {
            #expect(result == .success(.unchanged))
        }
    }

    @Test(arguments: [
        ("/..", RequestPath.Problem.climbsAboveRoot),
        ("/v1/../../latest/meta-data", .climbsAboveRoot),
        ("/v1/%2e%2e/%2e%2e/latest", .climbsAboveRoot),
        ("/a/./../..", .climbsAboveRoot),
        ("/%2E%2E", .climbsAboveRoot),
        ("/v1/..%2f..%2flatest", .encodedSeparator),
        ("/v1/%2F", .encodedSeparator),
        ("/v1/%5c..", .encodedSeparator),
        ("/v1\\..\\x", .backslash),
        ("/v1/%", .malformedPercentEncoding),
        ("/v1/%4", .malformedPercentEncoding),
        ("/v1/%g0", .malformedPercentEncoding),
    ] as [(String, RequestPath.Problem)])
    func pathsThatWouldLeaveTheBaseAreRefused(_ path: String, _ problem: RequestPath.Problem) {
        #expect(RequestPath.normalize(path[...]) == .failure(problem))
    }

    @Test func theParsedHeadRoutesAndForwardsTheNormalPath() throws {
        let head = try HTTPRequestHead(method: .get, target: "http://h/v1/x/%2e%2e/models?a=../b")
        #expect(head.path == "/v1/models")
        #expect(head.query == "a=../b")
        #expect(head.target == "http://h/v1/x/%2e%2e/models?a=../b")
        #expect(throws: HTTP1ParseError.self) { try HTTPRequestHead(method: .get, target: "/v1/../..") }
    }
}
