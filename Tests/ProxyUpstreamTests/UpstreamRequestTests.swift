import ProxyCore
import Testing
@testable import ProxyUpstream

/// Which upstream requests may wait for a multiplexed connection (PIPEWAIT).
@Suite struct UpstreamRequestTests {
    func request(_ url: String) -> UpstreamRequest {
        UpstreamRequest(method: .post, url: url, headers: HTTPHeaders(), body: [])
    }

    @Test func onlyHTTPSMayMultiplex() {
        #expect(request("https://api.openai.com/v1/chat/completions").usesTLS)
        #expect(request("HTTPS://api.openai.com/v1").usesTLS)
        #expect(!request("http://127.0.0.1:8000/v1/chat/completions").usesTLS, "clear text stays HTTP/1.1")
        #expect(!request("http://https.example/v1").usesTLS)
        #expect(!request("https:/").usesTLS)
    }
}
