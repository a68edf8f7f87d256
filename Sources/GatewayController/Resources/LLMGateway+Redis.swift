import ProxyCore

extension LLMGateway {
    /// `spec.redis`: the Redis (or Redis Cluster) the gateway's sidecars share limits through.
    package struct RedisSpec: Hashable, Sendable {
        package var address: String
        package var additionalAddresses: [String] = []
        /// nil: detected by the sidecar.
        package var cluster: Bool?
        package var username: String?
        /// The password's Secret key.
        package var secret: SecretKeyRef?
        package var tls = false
        package var caSecret: SecretKeyRef?
        package var serverName: String?
        package var timeout: ProxyDuration?
        package var failMode: RedisConfig.FailMode = .open
        package var mode: RedisConfig.Mode = .strict
        package var syncInterval: ProxyDuration?

        static let fields = ["address", "additionalAddresses", "cluster", "username", "secretRef", "tls", "timeout", "failMode", "mode",
                             "syncInterval"]

        static func decode(_ value: JSONValue?, at path: String, decoding d: inout SpecDecoding) -> RedisSpec? {
            guard let redis = d.optionalObject(value, at: path, allowed: fields, required: ["address"]),
                  let address = d.string(redis["address"], at: redis.path("address"), maxLength: 261, nonEmpty: true)
            else { return nil }
            var spec = RedisSpec(address: address)
            let extraPath = redis.path("additionalAddresses")
            for (index, element) in (d.array(redis["additionalAddresses"], at: extraPath, max: 16) ?? []).enumerated() {
                if let text = d.string(element, at: JSONPath.element(extraPath, index), maxLength: 261, nonEmpty: true) {
                    spec.additionalAddresses.append(text)
                }
            }
            spec.cluster = d.bool(redis["cluster"], at: redis.path("cluster"))
            spec.username = d.string(redis["username"], at: redis.path("username"), maxLength: 256, nonEmpty: true)
            if redis["secretRef"] != nil {
                spec.secret = SecretKeyRef.decode(redis["secretRef"], at: redis.path("secretRef"), defaultKey: "password", decoding: &d)
            }
            if let tls = d.optionalObject(redis["tls"], at: redis.path("tls"), allowed: ["caSecretRef", "serverName"]) {
                spec.tls = true
                if tls["caSecretRef"] != nil {
                    spec.caSecret = SecretKeyRef.decode(tls["caSecretRef"], at: tls.path("caSecretRef"), defaultKey: "ca.crt", decoding: &d)
                }
                spec.serverName = d.string(tls["serverName"], at: tls.path("serverName"), maxLength: 253, nonEmpty: true)
            }
            spec.timeout = d.duration(redis["timeout"], at: redis.path("timeout"))
            if let text = d.choice(redis["failMode"], at: redis.path("failMode"), RedisConfig.FailMode.allCases.map(\.rawValue)) {
                spec.failMode = RedisConfig.FailMode(rawValue: text)!
            }
            if let text = d.choice(redis["mode"], at: redis.path("mode"), RedisConfig.Mode.allCases.map(\.rawValue)) {
                spec.mode = RedisConfig.Mode(rawValue: text)!
            }
            spec.syncInterval = d.duration(redis["syncInterval"], at: redis.path("syncInterval"))
            return spec
        }
    }
}
