import ProxyCore

/// Phase 12, logging: the request's metrics and its access-log line. The session calls it from
/// one place (`ProxySession.end`), exactly once, whatever path the request took. Every label
/// names the backend that answered, not the route's first pick.
enum LoggingPhase {
    static func run(head: HTTPRequestHead, context: RequestContext, machine: SessionStateMachine,
                    on loopSnapshot: LoopSnapshot, loop: LoopContext) {
        let status = machine.status
        let snapshot = loopSnapshot.snapshot
        let now = loop.scheduler.now()
        let route = context.decision?.routeIndex
        let backend = context.answeringBackend?.backendIndex ?? context.decision?.backendIndex
        let model = snapshot.metricModel(client: context.clientModel, upstream: context.upstreamModel)
        loopSnapshot.requests(route: route, backend: backend, model: model, status: status, consumer: context.consumer).increment()
        if let route, let backend {
            let histograms = loopSnapshot.histograms(route: route, backend: backend)
            histograms.duration.observe(Double(now.duration(since: context.started).nanoseconds) / 1e9)
            if let first = context.firstTokenAt {
                histograms.firstToken.observe(Double(first.duration(since: context.started).nanoseconds) / 1e9)
            }
        }
        loop.dataPlane.accessLog.write(AccessLogEntry(now: now, wallNanoseconds: loop.scheduler.wallNanoseconds()),
                                       head: head, context: context, machine: machine, random: loop.random)
    }
}
