import Testing
@testable import ProxyCore

/// Finding the consumer of a presented key, and its model rights.
@Suite struct ConsumerTableTests {
    static func config(allowAnonymous: Bool = false, consumers: [ConsumerConfig]) -> ProxyConfig {
        ProxyConfig(backends: [], routes: [], consumers: consumers, authentication: AuthenticationConfig(allowAnonymous: allowAnonymous))
    }

    static let two = [ConsumerConfig(name: "search", keysDirectory: "search", allowedModels: ["gpt-4o*", "deepseek-chat"]),
                      ConsumerConfig(name: "support", keysDirectory: "support")]
    static let digests = [[SHA256.digest("sk-search-1".utf8), SHA256.digest("sk-search-2".utf8)], [SHA256.digest("sk-support".utf8)]]

    static func table(allowAnonymous: Bool = false) -> ConsumerTable {
        ConsumerTable(config(allowAnonymous: allowAnonymous, consumers: two), digests: digests, limiters: [nil, nil])
    }

    static func key(_ text: String) -> Substring.UTF8View { Substring(text).utf8 }

    @Test func eachOfAConsumersKeysFindsThatConsumer() {
        let table = Self.table()
        #expect(table.authenticate(key: Self.key("sk-search-1")) == .consumer(0))
        #expect(table.authenticate(key: Self.key("sk-search-2")) == .consumer(0))
        #expect(table.authenticate(key: Self.key("sk-support")) == .consumer(1))
    }

    @Test func anUnknownKeyIsRefusedEvenWhenAnonymousRequestsAreAllowed() {
        #expect(Self.table().authenticate(key: Self.key("sk-search-")) == .refused(.unknownKey))
        #expect(Self.table(allowAnonymous: true).authenticate(key: Self.key("sk-other")) == .refused(.unknownKey))
    }

    @Test func aMissingKeyIsAnonymousOnlyWhenAllowed() {
        #expect(Self.table().authenticate(key: nil) == .refused(.missingKey))
        #expect(Self.table(allowAnonymous: true).authenticate(key: nil) == .anonymous)
    }

    @Test func withoutConsumersEveryRequestIsAnonymousWhateverKeyItSends() {
        let table = ConsumerTable(Self.config(consumers: []), digests: [], limiters: [])
        #expect(table.authenticate(key: Self.key("sk-anything")) == .anonymous)
        #expect(table.authenticate(key: nil) == .anonymous)
    }

    @Test func allowedModelsMatchExactlyOrByGlobAndOmittedMeansEveryModel() {
        let table = Self.table()
        #expect(table.allows(0, model: "gpt-4o-mini"))
        #expect(table.allows(0, model: "deepseek-chat"))
        #expect(!table.allows(0, model: "deepseek-reasoner"))
        #expect(!table.allows(0, model: "o1"))
        #expect(table.allows(0, model: nil), "a request without a model (GET /v1/models) asks for none")
        #expect(table.allows(1, model: "anything"))
    }

    @Test func theKeyIsFoundInBearerXApiKeyOrApiKeyInThatOrder() {
        func find(_ headers: HTTPHeaders) -> String? { PresentedKey.find(in: headers).map { String(Substring($0)) } }
        #expect(find(["Authorization": "Bearer sk-1"]) == "sk-1")
        #expect(find(["authorization": "bearer  sk-1"]) == "sk-1")
        #expect(find(["x-api-key": "sk-2"]) == "sk-2")
        #expect(find(["api-key": "sk-3"]) == "sk-3")
        #expect(find(["Authorization": "Bearer sk-1", "x-api-key": "sk-2"]) == "sk-1")
        #expect(find(["Authorization": "Basic abc", "api-key": "sk-3"]) == "sk-3")
        #expect(find(["Authorization": "Bearer ", "x-api-key": ""]) == nil, "an empty key is no key")
        #expect(find([:]) == nil)
    }
}
