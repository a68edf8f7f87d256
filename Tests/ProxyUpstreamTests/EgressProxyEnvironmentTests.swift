import Testing
@testable import ProxyUpstream

@Suite struct EgressProxyEnvironmentTests {
    private func environment(_ variables: [String: String]) -> EgressProxyEnvironment {
        EgressProxyEnvironment { variables[$0] }
    }

    @Test func anHTTPSURLUsesTheLowercaseVariableBeforeTheUppercaseOne() {
        let egress = environment(["https_proxy": "http://lower:1", "HTTPS_PROXY": "http://upper:2"])
        #expect(egress.https == "http://lower:1")
        #expect(environment(["HTTPS_PROXY": "http://upper:2"]).https == "http://upper:2")
    }

    @Test func uppercaseHTTPProxyIsIgnoredAsLibcurlIgnoresIt() {
        let egress = environment(["HTTP_PROXY": "http://cgi-header:1"])
        #expect(egress.http == "")
        #expect(environment(["http_proxy": "http://p:3"]).http == "http://p:3")
    }

    @Test func allProxyServesEitherSchemeWhenNoSchemeVariableIsSet() {
        let egress = environment(["ALL_PROXY": "socks5://s:1080"])
        #expect(egress.http == "socks5://s:1080")
        #expect(egress.https == "socks5://s:1080")
        #expect(environment(["all_proxy": "http://l:1", "ALL_PROXY": "http://u:2"]).https == "http://l:1")
    }

    @Test func aVariableSetToEmptyEndsTheSearchAsInLibcurl() {
        let egress = environment(["https_proxy": "", "HTTPS_PROXY": "http://upper:2", "ALL_PROXY": "http://all:3"])
        #expect(egress.https == "")
    }

    @Test func noProxyIsReadLowercaseFirstAndIsEmptyWhenUnset() {
        #expect(environment(["no_proxy": "127.0.0.1", "NO_PROXY": "other"]).noProxy == "127.0.0.1")
        #expect(environment(["NO_PROXY": ".svc"]).noProxy == ".svc")
        #expect(environment([:]) == EgressProxyEnvironment(lookup: { _ in nil }))
        #expect(environment([:]).noProxy == "" && environment([:]).https == "" && environment([:]).http == "")
    }
}
