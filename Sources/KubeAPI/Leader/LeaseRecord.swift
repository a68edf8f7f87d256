import ProxyCore

/// The leader-election fields of a `coordination.k8s.io/v1` Lease's `spec`, times in
/// nanoseconds since the Unix epoch.
package struct LeaseRecord: Hashable, Sendable {
    package var holderIdentity: String
    package var leaseDurationSeconds: Int
    package var acquireTime: UInt64?
    package var renewTime: UInt64?
    package var leaseTransitions: Int

    package init(holderIdentity: String, leaseDurationSeconds: Int, acquireTime: UInt64?, renewTime: UInt64?, leaseTransitions: Int) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }

    /// Reads a Lease object; missing fields read as empty or zero, as the API treats them.
    package init(lease: JSONValue) {
        let spec = lease.member("spec")
        func int(_ key: String) -> Int {
            if case .number(let number)? = spec?.member(key) { return number.int ?? 0 }
            return 0
        }
        self.init(holderIdentity: spec?.member("holderIdentity")?.stringValue ?? "",
                  leaseDurationSeconds: int("leaseDurationSeconds"),
                  acquireTime: spec?.member("acquireTime")?.stringValue.flatMap(KubeTime.parse),
                  renewTime: spec?.member("renewTime")?.stringValue.flatMap(KubeTime.parse),
                  leaseTransitions: int("leaseTransitions"))
    }

    /// The `spec` object.
    package var spec: JSONValue {
        var spec = JSONObject()
        spec["holderIdentity"] = .string(holderIdentity)
        spec["leaseDurationSeconds"] = .number(JSONNumber(leaseDurationSeconds))
        if let acquireTime { spec["acquireTime"] = .string(KubeTime.microTime(epochNanoseconds: acquireTime)) }
        if let renewTime { spec["renewTime"] = .string(KubeTime.microTime(epochNanoseconds: renewTime)) }
        spec["leaseTransitions"] = .number(JSONNumber(leaseTransitions))
        return .object(spec)
    }

    /// True when nobody holds the lease, or its holder has not renewed it within its duration.
    package func isExpired(at now: UInt64) -> Bool {
        guard !holderIdentity.isEmpty, let renewTime else { return true }
        let (end, overflow) = renewTime.addingReportingOverflow(UInt64(max(0, leaseDurationSeconds)) * 1_000_000_000)
        return !overflow && end <= now
    }
}
