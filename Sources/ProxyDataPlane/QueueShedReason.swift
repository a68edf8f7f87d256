/// Why a backend's full queue shed a request: the `reason` label of `sluice_queue_shed_total`.
enum QueueShedReason: String {
    /// A higher-priority arrival pushed it out while it waited.
    case displaced
    /// It arrived at the full queue and no waiter of a lower class was there to push out.
    case queueFull = "queue_full"
}
