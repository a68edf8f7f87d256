import Testing
@testable import ProxyCore

@Suite struct QueryValueTests {
    @Test func percentEscapesAndPlusAreDecoded() {
        #expect(QueryValue.decode("team%20a") == "team a")
        #expect(QueryValue.decode("team+a") == "team a")
        #expect(QueryValue.decode("%2Fv1%2fchat") == "/v1/chat")
        #expect(QueryValue.decode("caf%C3%A9") == "café")
        #expect(QueryValue.decode("plain-name_1") == "plain-name_1")
        #expect(QueryValue.decode("") == "")
    }

    @Test func malformedEscapesAndInvalidUTF8AreRefused() {
        #expect(QueryValue.decode("%") == nil)
        #expect(QueryValue.decode("%4") == nil)
        #expect(QueryValue.decode("%zz") == nil)
        #expect(QueryValue.decode("%C3") == nil, "a lone UTF-8 lead byte")
        #expect(QueryValue.decode("%FF") == nil)
    }
}
