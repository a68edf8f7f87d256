import CLinuxShims
import Glibc

/// Turns a host name into an address without blocking an event loop.
///
/// A numeric host (`127.0.0.1`, `::1`) is parsed at once. A name goes to `getaddrinfo`,
/// which blocks, on a short-lived thread of its own; the answer comes back on the loop.
package enum HostResolver {
    /// Why a host could not be resolved.
    package struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        package var host: String
        package var reason: String
        package var description: String { "cannot resolve \(host): \(reason)" }
    }

    /// The address of a numeric host, or nil when `host` is a name.
    package static func numeric(host: String, port: UInt16) -> SocketAddress? {
        for family in [SocketAddress.Family.v4, .v6] {
            let address = SocketAddress(host: host, port: port, family: family)
            if address.withSockaddr({ _, _ in true }) != nil { return address }
        }
        return nil
    }

    /// Resolves `host` with `getaddrinfo` on the calling thread, which it blocks; the first
    /// address returned (IPv4 or IPv6, as the system orders them) wins.
    package static func resolveBlocking(host: String, port: UInt16) -> Result<SocketAddress, Failure> {
        if let address = numeric(host: host, port: port) { return .success(address) }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let list else {
            return .failure(Failure(host: host, reason: String(cString: gai_strerror(status))))
        }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            if let address = current.pointee.ai_addr, let numeric = numericText(address) {
                return .success(SocketAddress(host: numeric.host, port: port, family: numeric.family))
            }
            entry = current.pointee.ai_next
        }
        return .failure(Failure(host: host, reason: "no IPv4 or IPv6 address"))
    }

    /// Resolves `host` without blocking `loop`: a numeric host answers at once (still through
    /// `completion` on the loop, never inside this call), a name on a thread of its own.
    ///
    /// Call on the loop's thread; `completion` runs on it.
    package static func resolve(host: String, port: UInt16, on loop: EventLoop,
                                completion: @escaping (Result<SocketAddress, Failure>) -> Void) {
        loop.assertInLoop()
        let delivery = LoopBound(completion)
        if let address = numeric(host: host, port: port) {
            loop.execute { delivery.value(.success(address)) }
            return
        }
        let created = ThreadStart.detached {
            let result = resolveBlocking(host: host, port: port)
            loop.execute { delivery.value(result) }
        }
        if created != 0 {
            loop.execute { delivery.value(.failure(Failure(host: host, reason: "cannot start a resolver thread (\(created))"))) }
        }
    }

    private static func numericText(_ address: UnsafeMutablePointer<sockaddr>) -> (host: String, family: SocketAddress.Family)? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                var raw = v4.pointee.sin_addr
                guard inet_ntop(AF_INET, &raw, &buffer, socklen_t(buffer.count)) != nil else { return nil }
                return (SocketAddress.string(fromCString: buffer), .v4)
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                var raw = v6.pointee.sin6_addr
                guard inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)) != nil else { return nil }
                return (SocketAddress.string(fromCString: buffer), .v6)
            }
        default:
            return nil
        }
    }
}
