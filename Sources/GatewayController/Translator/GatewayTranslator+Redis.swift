import ProxyCore

extension NamespaceTranslation {
    /// `spec.redis` → the config's `redis`: the password and CA Secret keys become mounted
    /// files, the key prefix names the gateway (`sluice:<namespace>:<gateway>`, so gateways
    /// sharing one Redis never share counters). A Secret that cannot be resolved leaves the
    /// gateway unrendered (its last ConfigMap stays): a config without the password it asked
    /// for would fail every Redis command.
    mutating func translateRedis(_ spec: LLMGateway.RedisSpec, of gateway: LLMGateway, id gatewayID: ResourceID) {
        var resolved = true
        var secretsResolved = true
        var addresses: [RedisNodeAddress] = []
        for (index, text) in ([spec.address] + spec.additionalAddresses).enumerated() {
            guard let address = RedisNodeAddress(text), !address.host.isEmpty else {
                problem(gatewayID, ConditionType.accepted, "Invalid", path: index == 0 ? "spec.redis.address" : "spec.redis.additionalAddresses[\(index - 1)]",
                        "\(SpecDecoding.quoted(text)) is not host:port")
                resolved = false
                continue
            }
            if !addresses.contains(address) { addresses.append(address) }
        }
        var mounts: [SecretMount] = []
        var passwordFile: String?
        if let ref = spec.secret {
            if checkSecret(ref, for: gatewayID, at: "spec.redis.secretRef") {
                let mount = SecretMount(secret: ref.name, key: ref.key)
                mounts.append(mount)
                passwordFile = mount.path
            } else {
                secretsResolved = false
            }
        }
        var tls: RedisTLSConfig?
        if spec.tls {
            var caFile: String?
            if let ref = spec.caSecret {
                if checkSecret(ref, for: gatewayID, at: "spec.redis.tls.caSecretRef") {
                    let mount = SecretMount(secret: ref.name, key: ref.key)
                    mounts.append(mount)
                    caFile = mount.path
                } else {
                    secretsResolved = false
                }
            }
            tls = RedisTLSConfig(caFile: caFile, serverName: spec.serverName)
        }
        if !secretsResolved {
            problem(gatewayID, ConditionType.programmed, "RedisSecretNotResolved",
                    "spec.redis names a Secret key that does not exist (see ResolvedRefs); the ConfigMap is not written or updated (the last one written stays)")
        }
        guard resolved, secretsResolved else {
            gateways[gateway.meta.name]?.refused = true
            return
        }
        let topology: RedisConfig.Topology = spec.cluster.map { $0 ? .cluster : .standalone } ?? .detect
        gateways[gateway.meta.name]?.redis = RedisConfig(
            addresses: addresses, topology: topology, username: spec.username, passwordFile: passwordFile, tls: tls,
            timeout: spec.timeout ?? RedisConfig.defaultTimeout, failMode: spec.failMode, mode: spec.mode,
            syncInterval: spec.syncInterval ?? RedisConfig.defaultSyncInterval, keyPrefix: "sluice:\(namespace):\(gateway.meta.name)")
        gateways[gateway.meta.name]?.redisMounts = mounts
    }
}
