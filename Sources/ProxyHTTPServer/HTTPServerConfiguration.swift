import ProxyCore
import ProxyIO

/// How one HTTP listener behaves: where it binds, its limits and its timeouts.
package struct HTTPServerConfiguration: Sendable {
    /// The listener's name in the `listening` event (`app`, `admin`, `metrics`, `mock`).
    package var name: String
    package var address: SocketAddress
    package var limits: HTTP1Limits = .default
    /// From the first byte of a request head (or from accept) to its end: the slowloris defence.
    package var headerTimeout: ProxyDuration = .seconds(10)
    /// Longest pause between two reads of a request body.
    package var bodyTimeout: ProxyDuration = .seconds(30)
    /// How long a keep-alive connection may sit idle between requests.
    package var idleTimeout: ProxyDuration = .seconds(60)
    /// Longest time a response write may make no progress (a client that stopped reading).
    package var writeStallTimeout: ProxyDuration = .seconds(30)
    /// Above this many unsent response bytes the writer reports itself not writable.
    package var writeHighWatermark = 64 * 1024
    /// At or below this many unsent bytes a paused producer is told to resume.
    package var writeLowWatermark = 16 * 1024

    /// Bytes of pipelined requests buffered while a response is produced, before the
    /// connection stops reading until that response ends.
    package var pipelineLimit = 64 * 1024

    /// Keep accepting while the others drain (the metrics listener: probes see `/readyz`
    /// answer 503 and Prometheus scrapes the last counts, instead of connection refused).
    package var servesWhileDraining = false

    /// Serve HTTPS with this certificate (reloadable) instead of plain HTTP.
    package var tls: TLSServerContext?

    package init(name: String, address: SocketAddress) {
        self.name = name
        self.address = address
    }

    /// How often each loop checks connection deadlines: a quarter of the shortest
    /// timeout, between 10 ms and 1 s, so a timeout fires at most 25 % late.
    var sweepInterval: ProxyDuration {
        let shortest = min(headerTimeout, bodyTimeout, idleTimeout, writeStallTimeout)
        let quarter = shortest.nanoseconds / 4
        return ProxyDuration(nanoseconds: max(10_000_000, min(quarter, 1_000_000_000)))
    }
}
