import Testing
@testable import ProxyCore

/// What the semantic tier embeds of a request, and what must be equal for a hit.
@Suite struct SemanticRequestTests {
    static func read(_ body: String, _ embed: SemanticCacheConfig.Embed = .lastUserMessage) -> Result<SemanticRequest, SemanticRequest.Refusal> {
        guard case .success(let request) = CacheableRequest.check(body: Array(body.utf8), config: RouteCacheConfig(mode: .always)) else {
            Issue.record("not cacheable")
            return .failure(.notChat)
        }
        return SemanticRequest.read(canonicalBody: request.canonicalBody, embed: embed)
    }

    static func rest(_ body: String, _ embed: SemanticCacheConfig.Embed = .lastUserMessage) -> [UInt8]? {
        if case .success(let request) = read(body, embed) { return request.rest }
        return nil
    }

    @Test func theLastUserMessageIsEmbeddedAndTheRestMustBeEqual() throws {
        let body = #"{"model":"m","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"},{"role":"assistant","content":"hello"},{"role":"user","content":"what is sluice?"}],"temperature":0}"#
        let request = try Self.read(body).get()
        #expect(request.text == "what is sluice?")
        let other = body.replacing("what is sluice?", with: "tell me about sluice")
        #expect(Self.rest(other) == request.rest)
        #expect(Self.rest(body.replacing("be brief", with: "be long")) != request.rest)
        #expect(Self.rest(body.replacing("\"hello\"", with: "\"hey\"")) != request.rest)
        #expect(Self.rest(body.replacing("\"temperature\":0", with: "\"temperature\":0,\"max_tokens\":5")) != request.rest)
        // Fields left out of the exact key are left out here too.
        #expect(Self.rest(body.replacing("\"temperature\":0", with: "\"temperature\":0,\"user\":\"u2\",\"stream\":true")) == request.rest)
    }

    @Test func textPartsAreJoinedAndOtherPartsRefused() throws {
        let parts = #"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}"#
        #expect(try Self.read(parts).get().text == "a\nb")
        let image = #"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}"#
        #expect(Self.read(image) == .failure(.noText))
    }

    @Test func bodiesThatAreNotChatsHaveNoSemanticLookup() {
        #expect(Self.read(#"{"model":"m","prompt":"hi"}"#) == .failure(.notChat))
        #expect(Self.read(#"{"model":"m","messages":[{"role":"assistant","content":"x"}]}"#) == .failure(.noText))
        #expect(Self.read(#"{"model":"m","messages":[{"role":"user","content":""}]}"#) == .failure(.noText))
    }

    @Test func theConversationModeEmbedsEveryTurnAndKeepsTheSystemPrompt() throws {
        let body = #"{"model":"m","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"},{"role":"assistant","content":"hello"},{"role":"user","content":"what?"}]}"#
        let request = try Self.read(body, .conversation).get()
        #expect(request.text == "user: hi\nassistant: hello\nuser: what?")
        #expect(Self.rest(body.replacing("\"hello\"", with: "\"hey\""), .conversation) == request.rest)
        #expect(Self.rest(body.replacing("be brief", with: "be long"), .conversation) != request.rest)
        let tools = #"{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"tool","content":"x","tool_call_id":"1"}]}"#
        #expect(Self.read(tools, .conversation) == .failure(.noText))
    }

    @Test func anEmbeddingsAnswerGivesTheFirstVector() {
        let body = Array(#"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[3,4]}],"model":"e"}"#.utf8)
        #expect(EmbeddingsExchange.vector(status: 200, body: body) == .success(SemanticVector([0.6, 0.8])!))
        #expect(EmbeddingsExchange.vector(status: 500, body: body) == .failure(.status))
        #expect(EmbeddingsExchange.vector(status: 200, body: Array(#"{"data":[]}"#.utf8)) == .failure(.invalid))
        #expect(EmbeddingsExchange.vector(status: 200, body: Array(#"{"data":[{"embedding":[0,0]}]}"#.utf8)) == .failure(.invalid))
        #expect(EmbeddingsExchange.vector(status: 200, body: Array(#"{"data":[{"embedding":["1"]}]}"#.utf8)) == .failure(.invalid))
        #expect(EmbeddingsExchange.vector(status: 200, body: Array("not json".utf8)) == .failure(.invalid))
        #expect(String(decoding: EmbeddingsExchange.requestBody(text: "a\"b", model: "e"), as: UTF8.self) == #"{"input":"a\"b","model":"e"}"#)
    }
}
