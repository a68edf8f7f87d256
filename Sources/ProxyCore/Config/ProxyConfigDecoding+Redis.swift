/// `redis`: the shared store for consumers' limits.
extension ProxyConfigDecoding {
    static let redisKeys = ["addresses", "cluster", "username", "passwordFile", "tls", "timeout", "failMode", "mode",
                            "syncInterval", "keyPrefix"]

    mutating func decodeRedis(_ value: JSONValue, at path: String) -> RedisConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: Self.redisKeys, issues: &issues) else { return nil }
        let before = issues.count
        var addresses: [RedisNodeAddress] = []
        let addressesPath = object.path("addresses")
        if let list = requiredArray(object["addresses"], at: addressesPath, nonEmpty: "expected at least one host:port") {
            for (index, element) in list.enumerated() {
                let elementPath = JSONPath.element(addressesPath, index)
                guard let text = string(element, at: elementPath, required: true) else { continue }
                guard let address = RedisNodeAddress(text), !address.host.isEmpty, !text.contains("/") else {
                    report(elementPath, "\(ConfigIssue.quoted(text)) is not host:port with a port from 1 to 65535 (no scheme: TLS is the tls field, the password passwordFile)")
                    continue
                }
                if addresses.contains(address) {
                    report(elementPath, "duplicate address \(ConfigIssue.quoted(text))")
                    continue
                }
                addresses.append(address)
            }
        }
        let cluster = bool(object["cluster"], at: object.path("cluster"))
        let username = string(object["username"], at: object.path("username"), required: false)
        let passwordFile = secretFile(object["passwordFile"], at: object.path("passwordFile"), required: false)
        var tls: RedisTLSConfig?
        if let tlsValue = object["tls"], let tlsObject = ConfigObjectReader(tlsValue, at: object.path("tls"), allowed: ["caFile", "serverName"],
                                                                             issues: &issues) {
            tls = RedisTLSConfig(caFile: secretFile(tlsObject["caFile"], at: tlsObject.path("caFile"), required: false),
                                 serverName: string(tlsObject["serverName"], at: tlsObject.path("serverName"), required: false))
        }
        let timeout = duration(object["timeout"], at: object.path("timeout")) ?? RedisConfig.defaultTimeout
        if timeout > .seconds(10) { report(object.path("timeout"), "\(timeout.configString) is longer than the maximum \"10s\": a request would wait that long for its limit") }
        let failMode: RedisConfig.FailMode? = oneOf(object["failMode"], at: object.path("failMode"), required: false)
        let mode: RedisConfig.Mode? = oneOf(object["mode"], at: object.path("mode"), required: false)
        let syncInterval = duration(object["syncInterval"], at: object.path("syncInterval")) ?? RedisConfig.defaultSyncInterval
        if syncInterval < .milliseconds(5) || syncInterval > .seconds(60) {
            report(object.path("syncInterval"), "\(syncInterval.configString) is outside \"5ms\" to \"60s\"")
        }
        let keyPrefix = string(object["keyPrefix"], at: object.path("keyPrefix"), required: false) ?? RedisConfig.defaultKeyPrefix
        if keyPrefix.utf8.contains(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "}") || $0 < 0x21 || $0 > 0x7E }) || keyPrefix.utf8.count > 200 {
            report(object.path("keyPrefix"), "\(ConfigIssue.quoted(keyPrefix)) must be at most 200 printable ASCII characters without spaces, \"{\" or \"}\" (the consumer's name is the key's hash tag)")
        }
        guard issues.count == before else { return nil }
        return RedisConfig(addresses: addresses, topology: cluster.map { $0 ? .cluster : .standalone } ?? .detect, username: username,
                           passwordFile: passwordFile, tls: tls, timeout: timeout, failMode: failMode ?? .open, mode: mode ?? .strict,
                           syncInterval: syncInterval, keyPrefix: keyPrefix)
    }
}
