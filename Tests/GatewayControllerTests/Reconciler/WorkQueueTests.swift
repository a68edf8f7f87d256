import KubeAPI
import ProxyCore
import Synchronization
import Testing
@testable import GatewayController

@Suite struct WorkQueueTests {
    /// Records the delays asked for and returns at once.
    final class RecordingSleep: Sendable {
        let delays = Mutex<[ProxyDuration]>([])
        var sleep: Informer.Sleep { { [self] duration in delays.withLock { $0.append(duration) } } }
    }

    @Test func aKeyAddedTwiceIsProcessedOnce() async {
        let queue = WorkQueue<String>()
        queue.add("ns/a")
        queue.add("ns/b")
        queue.add("ns/a")
        #expect(queue.depth == 2)
        #expect(await queue.next() == "ns/a")
        #expect(await queue.next() == "ns/b")
        #expect(queue.depth == 0)
    }

    @Test func aKeyChangedWhileProcessingComesBackOnceAfterDone() async {
        let queue = WorkQueue<String>()
        queue.add("k")
        let key = await queue.next()
        queue.add("k")
        queue.add("k")
        #expect(queue.depth == 0, "never handed to a second worker while processing")
        queue.done(key!)
        #expect(queue.depth == 1)
        #expect(await queue.next() == "k")
        queue.done("k")
        #expect(queue.depth == 0)
    }

    @Test func aWaitingWorkerGetsTheNextKey() async {
        let queue = WorkQueue<String>()
        async let waited = queue.next()
        try? await Task.sleep(nanoseconds: 10_000_000)  // lint: allow-sleep (lets the worker start waiting; the result does not depend on it)
        queue.add("late")
        #expect(await waited == "late")
    }

    @Test func shutDownWakesWorkersWithNil() async {
        let queue = WorkQueue<String>()
        async let waited = queue.next()
        try? await Task.sleep(nanoseconds: 10_000_000)  // lint: allow-sleep (lets the worker start waiting; the result does not depend on it)
        queue.shutDown()
        #expect(await waited == nil)
        queue.add("ignored")
        #expect(queue.depth == 0)
    }

    @Test func failuresBackOffExponentiallyPerKeyAndForgetResets() async {
        let recorder = RecordingSleep()
        let queue = WorkQueue<String>(backoff: Backoff(base: .milliseconds(100), max: .milliseconds(350)), sleep: recorder.sleep)
        #expect(queue.addRateLimited("a") == .milliseconds(100))
        #expect(queue.addRateLimited("a") == .milliseconds(200))
        #expect(queue.addRateLimited("a") == .milliseconds(350))
        #expect(queue.addRateLimited("b") == .milliseconds(100), "another key has its own count")
        queue.forget("a")
        #expect(queue.failures(of: "a") == 0)
        #expect(queue.addRateLimited("a") == .milliseconds(100))
        // The delayed adds arrive (the recording sleep returns at once) and are de-duplicated.
        #expect(await queue.next() != nil)
        #expect(await queue.next() != nil)
    }
}
