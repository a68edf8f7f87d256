import ProxyCore
import ProxyIO
import ProxyUpstream

/// What the request path of one event loop uses: the loop's libcurl multi, the snapshot
/// currently published to it, and a random source for splits and request ids.
///
/// Loop-confined: read and written only on `loop`'s thread (the publisher hops there).
final class LoopContext {
    let loop: EventLoop
    let multi: CurlMulti
    let dataPlane: DataPlane
    var snapshot: ProxySnapshot
    private var randomState: UInt64

    init(loop: EventLoop, snapshot: ProxySnapshot, dataPlane: DataPlane) {
        self.loop = loop
        self.multi = CurlMulti(loop: loop)
        self.snapshot = snapshot
        self.dataPlane = dataPlane
        randomState = loop.clock.wallNanoseconds() ^ (UInt64(loop.index) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// SplitMix64: fast, good enough for traffic splitting and request ids (not for secrets).
    func random() -> UInt64 {
        randomState &+= 0x9E37_79B9_7F4A_7C15
        var z = randomState
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A new request id: 32 lowercase hex digits.
    func makeRequestID() -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes = [UInt8](repeating: 0, count: 32)
        for half in 0..<2 {
            var value = random()
            for i in 0..<16 {
                bytes[half * 16 + i] = digits[Int(value & 0xf)]
                value >>= 4
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
