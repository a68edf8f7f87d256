import Testing
@testable import ProxyCore

@Suite struct ConfigAddressTests {
    @Test(arguments: ["127.0.0.1:4000", "0.0.0.0:0", "[::1]:4001", "[::]:80", "[fe80::1:2]:65535", "[1:2:3:4:5:6:7:8]:1"])
    func numericListenerAddressesParseAndPrintBack(text: String) {
        #expect(ListenerAddress(parsing: text)?.description == text)
    }

    @Test(arguments: ["localhost:4000", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.01:80", "1.2.3:80", "256.0.0.1:80",
                      "[::1]", "::1:80", "[1::2::3]:80", "[1:2:3:4:5:6:7:8:9]:80", "[:1]:80", "[12345::]:80", "127.0.0.1:+80", ""])
    func otherListenerAddressesAreRejected(text: String) {
        #expect(ListenerAddress(parsing: text) == nil)
    }

    @Test func loopbackIsDetectedForBothFamilies() {
        #expect(ListenerAddress(parsing: "127.0.0.1:1")!.isLoopback)
        #expect(ListenerAddress(parsing: "127.1.2.3:1")!.isLoopback)
        #expect(ListenerAddress(parsing: "[::1]:1")!.isLoopback)
        #expect(ListenerAddress(parsing: "[0:0:0:0:0:0:0:1]:1")!.isLoopback)
        #expect(!ListenerAddress(parsing: "0.0.0.0:1")!.isLoopback)
        #expect(!ListenerAddress(parsing: "[::]:1")!.isLoopback)
        #expect(!ListenerAddress(parsing: "[::1:1]:1")!.isLoopback)
    }

    @Test func backendURLsSplitIntoSchemeHostPortAndPath() throws {
        let openai = try BackendURL.parse("https://api.openai.com/v1").get()
        #expect(openai.scheme == .https && openai.host == "api.openai.com" && openai.port == nil && openai.path == "/v1")
        #expect(openai.effectivePort == 443)
        let mock = try BackendURL.parse("http://127.0.0.1:8081/v1").get()
        #expect(mock.scheme == .http && mock.host == "127.0.0.1" && mock.port == 8081)
        let v6 = try BackendURL.parse("http://[::1]:11434").get()
        #expect(v6.host == "::1" && v6.port == 11434 && v6.path == "" && v6.effectivePort == 11434)
        #expect(try BackendURL.parse("https://api.deepseek.com").get().effectivePort == 443)
    }

    @Test func badBackendURLsSayWhy() throws {
        #expect(BackendURL.parse("https://u:p@host/v1") == .failure(.userInfo))
        #expect(BackendURL.parse("https://host/v1?x=1") == .failure(.queryOrFragment))
        #expect(BackendURL.parse("https://host/v1#top") == .failure(.queryOrFragment))
        for text in ["api.openai.com/v1", "https://", "https://:443/v1", "https://host:0", "https://host:99999", "https://ho st/",
                     "https://host/a b", "HTTPS://host", "https://[::1/v1", "https://-host", "https://[::g]/v1", "https://[1::2::3]"] {
            #expect(BackendURL.parse(text) == .failure(.malformed), "\(text)")
        }
        // Request paths are appended to the base path: it must already be normal, or the joined
        // path could climb out of it at the provider.
        for text in ["https://host/v1/..", "https://host/a/./v1", "https://host/%2e%2E/v1", "https://host/v1%2F", "https://host/v1/%zz"] {
            #expect(BackendURL.parse(text) == .failure(.unsafePath), "\(text)")
        }
        #expect(try BackendURL.parse("https://host/openai/deployments/gpt-4o.mini/").get().path == "/openai/deployments/gpt-4o.mini/")
    }
}
