import ProxyCore

/// Builds core/v1 Events about Sluice resources (what `kubectl describe` shows).
package enum EventBuilder {
    /// A Warning (or Normal) Event on the object `involved` (as read from the API).
    package static func event(about involved: JSONValue, kind: ResourceKind, type: String = "Warning", reason: String, message: String,
                              now: String, identity: String) -> JSONValue {
        let metadata = involved.field("metadata")
        let name = metadata?.field("name")?.string ?? ""
        let namespace = metadata?.field("namespace")?.string ?? ""
        var reference: [(String, JSONValue)] = [("apiVersion", .str(kind.apiVersion)), ("kind", .str(kind.kind)),
                                                ("name", .str(name)), ("namespace", .str(namespace))]
        if let uid = metadata?.field("uid")?.string { reference.append(("uid", .str(uid))) }
        if let version = metadata?.field("resourceVersion")?.string { reference.append(("resourceVersion", .str(version))) }
        return .obj([
            ("apiVersion", .str("v1")), ("kind", .str("Event")),
            ("metadata", .obj([("generateName", .str("\(name).")), ("namespace", .str(namespace))])),
            ("involvedObject", .obj(reference)),
            ("type", .str(type)), ("reason", .str(reason)), ("message", .str(String(message.prefix(1024)))),
            ("source", .obj([("component", .str("sluice-controller"))])),
            ("reportingComponent", .str("sluice-controller")), ("reportingInstance", .str(identity)),
            ("firstTimestamp", .str(now)), ("lastTimestamp", .str(now)), ("count", .num(1)),
        ])
    }
}
