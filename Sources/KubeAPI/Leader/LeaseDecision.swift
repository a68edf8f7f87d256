/// What a candidate should do with a Lease it has just read. Pure: a function of the lease,
/// the candidate's identity and the wall-clock time.
package enum LeaseDecision: Hashable, Sendable {
    /// There is no Lease: create it with this record.
    case create(LeaseRecord)
    /// Write this record (a renewal, or a takeover of an expired lease) with the read
    /// resourceVersion, so a concurrent writer makes one of us fail with 409.
    case update(LeaseRecord)
    /// Someone else holds an unexpired lease.
    case heldByOther(String)

    /// Decides for `identity` at `now` (nanoseconds since the Unix epoch).
    package static func decide(current: LeaseRecord?, identity: String, now: UInt64, leaseDurationSeconds: Int) -> LeaseDecision {
        guard let current else {
            return .create(LeaseRecord(holderIdentity: identity, leaseDurationSeconds: leaseDurationSeconds,
                                       acquireTime: now, renewTime: now, leaseTransitions: 0))
        }
        if current.holderIdentity == identity {
            var renewed = current
            renewed.renewTime = now
            renewed.leaseDurationSeconds = leaseDurationSeconds
            return .update(renewed)
        }
        guard current.isExpired(at: now) else { return .heldByOther(current.holderIdentity) }
        return .update(LeaseRecord(holderIdentity: identity, leaseDurationSeconds: leaseDurationSeconds, acquireTime: now,
                                   renewTime: now, leaseTransitions: current.leaseTransitions + 1))
    }
}
