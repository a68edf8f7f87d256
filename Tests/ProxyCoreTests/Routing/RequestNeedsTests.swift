import Testing
@testable import ProxyCore

/// Reading a request's needs from its body: the token estimate, capabilities, last user message.
@Suite struct RequestNeedsTests {
    @Test func estimatesPromptTokensFromTextMessagesAndImages() throws {
        let text = String(repeating: "a", count: 400)
        let body = #"{"model":"auto","messages":[{"role":"system","content":"\#(text)"},{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:image/png;base64,\#(String(repeating: "A", count: 10_000))"}}]}]}"#
        let needs = try #require(RequestNeeds.read(Array(body.utf8)))
        #expect(needs.capabilities.contains(.vision))
        #expect(!needs.capabilities.contains(.tools))
        #expect(needs.lastUserMessage == "hi")
        // Strings and keys below the top level, without the image data: "role" ×2, "system",
        // "content" ×2, the 400 a's, "user", "type" ×2, "text" ×2, "hi", "image_url" ×2, "url".
        let bytes = 4 * 2 + 6 + 7 * 2 + 400 + 4 + 4 * 2 + 4 * 2 + 2 + 9 * 2 + 3
        #expect(needs.promptTokens == (bytes + 3) / 4 + 2 * RequestNeeds.tokensPerMessage + RequestNeeds.tokensPerImage)
    }

    @Test func toolsResponseFormatAndMaxTokensAreNoted() throws {
        let body = #"{"model":"auto","max_tokens":900,"response_format":{"type":"json_object"},"tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"first"},{"role":"assistant","content":"x"},{"content":"last","role":"user"}]}"#
        let needs = try #require(RequestNeeds.read(Array(body.utf8)))
        #expect(needs.capabilities.contains(.tools))
        #expect(needs.capabilities.contains(.json))
        #expect(needs.requestedOutputTokens == 900)
        #expect(needs.lastUserMessage == "last", "role may follow content")
    }

    @Test func emptyToolsAndTextResponseFormatNeedNothing() throws {
        let body = #"{"tools":[],"response_format":{"type":"text"},"messages":[]}"#
        let needs = try #require(RequestNeeds.read(Array(body.utf8)))
        #expect(needs.capabilities == ModelCapabilities())
        #expect(RequestNeeds.read(Array("{".utf8)) == nil)
    }
}
