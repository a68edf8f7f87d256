import KubeAPI
import ProxyCore
import Testing
@testable import GatewayController

@Suite struct ControllerCachesTests {
    static let secret = JSONValue.obj([
        ("apiVersion", .str("v1")), ("kind", .str("Secret")),
        ("metadata", .obj([("name", .str("keys")), ("namespace", .str("chat")), ("resourceVersion", .str("7")), ("uid", .str("u")),
                           ("annotations", .obj([("kubectl.kubernetes.io/last-applied-configuration", .str(#"{"data":{"openai":"c2stc2VjcmV0"}}"#))])),
                           ("managedFields", .array([]))])),
        ("type", .str("Opaque")),
        ("data", .obj([("openai", .str("c2stc2VjcmV0")), ("deepseek", .str("c2stb3RoZXI="))])),
    ])

    @Test func theSecretCacheKeepsKeyNamesButNoValue() throws {
        let caches = ControllerCaches(client: KubeClient(config: KubeConfig(server: "http://127.0.0.1:9")), namespace: nil) { _ in }
        let cached = try #require(caches.informers[.secret]).transform(Self.secret)
        let text = JSONWriter.write(cached).utf8String
        #expect(!text.contains("c2Vj") && !text.contains("c2stb3RoZXI="), "no value, not even inside an annotation: \(text)")
        #expect(SecretInfo.decodeKeys(cached) == ["deepseek", "openai"])
        #expect(ObjectKey(of: cached) == ObjectKey(namespace: "chat", name: "keys"))
        #expect(cached.field("metadata")?.field("resourceVersion")?.string == "7")
        // Other kinds are cached as they are.
        let route = JSONValue.obj([("metadata", .obj([("name", .str("r"))])), ("spec", .obj([("x", .str("y"))]))])
        #expect(try #require(caches.informers[.route]).transform(route) == route)
    }
}
