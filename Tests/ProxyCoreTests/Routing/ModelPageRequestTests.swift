import Testing
@testable import ProxyCore

/// Anthropic's model list paging parameters, read from the query.
@Suite struct ModelPageRequestTests {
    @Test func withoutAQueryAPageIsTheFirstTwenty() throws {
        #expect(try ModelPageRequest(query: nil) == ModelPageRequest(limit: 20, cursor: nil))
        #expect(try ModelPageRequest(query: "beta=true") == ModelPageRequest())
    }

    @Test func cursorsArePercentDecoded() throws {
        #expect(try ModelPageRequest(query: "limit=5&after_id=qwen2.5%3A7b") == ModelPageRequest(limit: 5, cursor: .after("qwen2.5:7b")))
        #expect(try ModelPageRequest(query: "before_id=a+b%2") == ModelPageRequest(cursor: .before("a b%2")))
    }

    @Test(arguments: ["limit=0", "limit=1001", "limit=x", "limit=", "after_id=a&before_id=b"])
    func aBadLimitOrTwoCursorsAreRefused(query: String) {
        #expect(throws: ModelPageError.self) { try ModelPageRequest(query: query[...]) }
    }
}
