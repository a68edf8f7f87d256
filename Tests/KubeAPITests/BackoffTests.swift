import ProxyCore
import Testing
@testable import KubeAPI

@Suite struct BackoffTests {
    @Test func delaysDoubleFromInitialUpToTheCap() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1))
        #expect(backoff.delay(afterFailures: 0) == .zero)
        #expect((1...6).map { backoff.delay(afterFailures: $0).milliseconds } == [100, 200, 400, 800, 1000, 1000])
        #expect(backoff.delay(afterFailures: 10_000) == .seconds(1))
    }
}
