import ProxyCore

/// Which containers of a pod are the app, and so get the base URLs: every regular container
/// except the sidecars of other tools (service meshes, agents) and Sluice's own, or exactly
/// the containers the pod names in `sluice.dev/app-containers`.
package enum AppContainers {
    package static let annotation = "sluice.dev/app-containers"

    /// Container names other tools inject as sidecars: they never call a model.
    package static let knownSidecars: Set<String> = [
        "istio-proxy", "linkerd-proxy", "consul-dataplane", "daprd", "vault-agent", "cloud-sql-proxy",
        InjectionSettings.containerName,
    ]

    /// The names of the app containers of a pod template (`{metadata, spec}`). Throws when the
    /// annotation names a container the pod does not have: a typo there would silently leave
    /// the app without the sidecar.
    package static func names(in template: JSONValue) throws(SidecarInjector.Refusal) -> Set<String> {
        let containers = (template.value(at: ["spec", "containers"])?.array ?? []).compactMap { $0.value(at: ["name"])?.string }
        guard let listed = SidecarInjector.stringMap(template.value(at: ["metadata", "annotations"]))[annotation] else {
            return Set(containers.filter { !knownSidecars.contains($0) })
        }
        // Container names are DNS labels: no whitespace belongs to a name.
        let names = listed.split(separator: ",").map { String($0.filter { !$0.isWhitespace }) }.filter { !$0.isEmpty }
        for name in names where !containers.contains(name) {
            throw .init(reason: "the annotation \(annotation) names \(SpecDecoding.quoted(name)), which is not a container of the pod "
                        + "(containers: \(containers.joined(separator: ", ")))")
        }
        return Set(names)
    }
}
