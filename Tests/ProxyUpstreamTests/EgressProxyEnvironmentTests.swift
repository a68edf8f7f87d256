import Testing
@testable import ProxyUpstream

@Suite struct EgressProxyEnvironmentTests {
    private func environment(_ variables: [String: String]) -> EgressProxyEnvironment {
        EgressProxyEnvironment { variables[$0] }
    }

    @Test func anHTTPSURLUsesTheLowercaseVariableBeforeTheUppercaseOne() {
        let egress = environment(["https_proxy": "http://lower:1", "HTTPS_PROXY": "http://upper:2"])
        #expect(egress.proxy(for: "https://api.example.com/v1") == "http://lower:1")
        #expect(environment(["HTTPS_PROXY": "http://upper:2"]).proxy(for: "https://a/") == "http://upper:2")
    }

    @Test func uppercaseHTTPProxyIsIgnoredAsLibcurlIgnoresIt() {
        let egress = environment(["HTTP_PROXY": "http://cgi-header:1"])
        #expect(egress.proxy(for: "http://vllm:8000/v1") == "")
        #expect(environment(["http_proxy": "http://p:3"]).proxy(for: "http://vllm:8000/v1") == "http://p:3")
    }

    @Test func allProxyServesEitherSchemeWhenNoSchemeVariableIsSet() {
        let egress = environment(["ALL_PROXY": "socks5://s:1080"])
        #expect(egress.proxy(for: "http://a/") == "socks5://s:1080")
        #expect(egress.proxy(for: "https://a/") == "socks5://s:1080")
        #expect(environment(["all_proxy": "http://l:1", "ALL_PROXY": "http://u:2"]).proxy(for: "https://a/") == "http://l:1")
    }

    @Test func aVariableSetToEmptyEndsTheSearchAsInLibcurl() {
        let egress = environment(["https_proxy": "", "HTTPS_PROXY": "http://upper:2", "ALL_PROXY": "http://all:3"])
        #expect(egress.proxy(for: "https://a/") == "")
    }

    @Test func noProxyIsReadLowercaseFirstAndIsEmptyWhenUnset() {
        #expect(environment(["no_proxy": "127.0.0.1", "NO_PROXY": "other"]).noProxy == "127.0.0.1")
        #expect(environment(["NO_PROXY": ".svc"]).noProxy == ".svc")
        #expect(environment([:]) == EgressProxyEnvironment(lookup: { _ in nil }))
        #expect(environment([:]).noProxy == "" && environment([:]).https == "" && environment([:]).http == "")
    }
}
