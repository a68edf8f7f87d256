import Testing
import ProxyCore
@testable import KubeYAML

/// Realistic Kubernetes manifests, as users write them.
@Suite struct YAMLReaderManifestTests {
    static let bundle = """
        # Sluice demo bundle: namespace, workload, config.
        apiVersion: v1
        kind: Namespace
        metadata:
          name: sluice-demo   # where everything lives
          labels:
            sluice.dev/inject: "true"
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: chat-api
          namespace: sluice-demo
          annotations:
            sluice.dev/gateway: 'main'
        spec:
          replicas: 3
          selector:
            matchLabels: {app: chat-api, tier: backend}
          template:
            metadata:
              labels:
                app: chat-api
                tier: backend
            spec:
              containers:
              # the application itself
              - name: app
                image: ghcr.io/example/chat-api:1.4.2
                args: ["--port", "8080", --verbose]
                ports:
                - containerPort: 8080
                  name: http
                env:
                - name: OPENAI_BASE_URL
                  value: http://127.0.0.1:4000/v1
                - name: FEATURE_FLAG
                  value: "yes"
                - name: EMPTY
                  value: ""
                - name: POD_NAME
                  valueFrom:
                    fieldRef:
                      fieldPath: metadata.name
                resources:
                  requests:
                    cpu: 250m
                    memory: 128Mi
                  limits:
                    cpu: 1
                    memory: 512Mi
                readinessProbe:
                  httpGet:
                    path: /healthz
                    port: 8080
                  initialDelaySeconds: 2
                  periodSeconds: 0.5
                livenessProbe:
                  exec:
                    command:
                      - /bin/sh
                      - -c
                      - test -f /tmp/alive
              restartPolicy: Always
              nodeSelector: {}
              tolerations: []
        ...
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: sluice-main
          namespace: sluice-demo
        data:
          config.json: |
            {
              "apiVersion": "sluice.dev/v1alpha1",
              "routes": [{"model": "gpt-*", "backend": "openai"}]
            }
          motd: >-
            Welcome to
            the demo.

            Enjoy.
        ---
        # an empty document follows and is skipped
        ---
        """

    @Test func multiDocumentBundleYieldsThreeDocumentsInOrder() throws {
        let documents = try YAMLReader.readDocuments(Self.bundle)
        #expect(documents.count == 3)
        #expect(documents.map { string($0, "kind") } == ["Namespace", "Deployment", "ConfigMap"])
    }

    @Test func namespaceLabelsKeepQuotedBooleanAsString() throws {
        let namespace = try YAMLReader.readDocuments(Self.bundle)[0]
        #expect(lookup(namespace, "metadata") == object([
            "name": .string("sluice-demo"),
            "labels": object(["sluice.dev/inject": .string("true")]),
        ]))
    }

    @Test func deploymentNestedContainersEnvResourcesAndProbesAreRead() throws {
        let deployment = try YAMLReader.readDocuments(Self.bundle)[1]
        #expect(lookup(deployment, "spec.replicas") == number("3"))
        #expect(lookup(deployment, "spec.selector.matchLabels") == object(["app": .string("chat-api"), "tier": .string("backend")]))
        if case .object(let annotations)? = lookup(deployment, "metadata.annotations") {
            #expect(annotations["sluice.dev/gateway"] == .string("main"))
        } else {
            Issue.record("annotations is not an object")
        }
        let container = lookup(deployment, "spec.template.spec.containers.0")
        #expect(string(container, "name") == "app")
        #expect(string(container, "image") == "ghcr.io/example/chat-api:1.4.2")
        #expect(lookup(container, "args") == .array([.string("--port"), .string("8080"), .string("--verbose")]))
        #expect(lookup(container, "ports") == .array([object(["containerPort": number("8080"), "name": .string("http")])]))
        #expect(string(container, "env.0.value") == "http://127.0.0.1:4000/v1")
        #expect(string(container, "env.1.value") == "yes")
        #expect(string(container, "env.2.value") == "")
        #expect(string(container, "env.3.valueFrom.fieldRef.fieldPath") == "metadata.name")
        #expect(lookup(container, "resources") == object([
            "requests": object(["cpu": .string("250m"), "memory": .string("128Mi")]),
            "limits": object(["cpu": number("1"), "memory": .string("512Mi")]),
        ]))
        #expect(lookup(container, "readinessProbe.periodSeconds") == number("0.5"))
        #expect(lookup(container, "livenessProbe.exec.command") == .array([.string("/bin/sh"), .string("-c"), .string("test -f /tmp/alive")]))
        #expect(lookup(deployment, "spec.template.spec.nodeSelector") == object([:]))
        #expect(lookup(deployment, "spec.template.spec.tolerations") == .array([]))
        #expect(string(deployment, "spec.template.spec.restartPolicy") == "Always")
    }

    @Test func configMapLiteralBlockHoldsJSONVerbatimAndFoldedBlockIsFolded() throws {
        let configMap = try YAMLReader.readDocuments(Self.bundle)[2]
        guard case .object(let data)? = lookup(configMap, "data") else {
            Issue.record("data is not an object")
            return
        }
        #expect(data["config.json"] == .string("""
            {
              "apiVersion": "sluice.dev/v1alpha1",
              "routes": [{"model": "gpt-*", "backend": "openai"}]
            }

            """))
        #expect(data["motd"] == .string("Welcome to the demo.\nEnjoy."))
    }

    static let crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: llmroutes.sluice.dev
        spec:
          group: sluice.dev
          names: {kind: LLMRoute, plural: llmroutes, shortNames: [lr]}
          scope: Namespaced
          versions:
            - name: v1alpha1
              served: true
              storage: true
              subresources:
                status: {}
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      required: ["rules"]
                      x-kubernetes-validations:
                        - rule: "self.rules.all(r, r.backendRefs.size() > 0)"
                          message: 'every rule needs a backend; see "backendRefs"'
                        - rule: >-
                            !has(self.fallback) ||
                            self.fallback.all(f, f.name != '')
                          messageExpression: "'fallback ' + string(self.fallback.size()) + \\" entries\\""
                      properties:
                        rules:
                          type: array
                          maxItems: 0x40   # 64
                          items:
                            type: object
                            properties:
                              weight:
                                type: integer
                                minimum: 0
                                maximum: 1e3
                                default: ~
        """

    @Test func crdSchemaWithCELRulesQuotesAndFoldedScalarsIsRead() throws {
        let documents = try YAMLReader.readDocuments(Self.crd)
        #expect(documents.count == 1)
        let crd = documents[0]
        #expect(lookup(crd, "spec.names") == object([
            "kind": .string("LLMRoute"), "plural": .string("llmroutes"), "shortNames": .array([.string("lr")]),
        ]))
        #expect(lookup(crd, "spec.versions.0.served") == .bool(true))
        #expect(lookup(crd, "spec.versions.0.subresources.status") == object([:]))
        let spec = lookup(crd, "spec.versions.0.schema.openAPIV3Schema.properties.spec")
        #expect(lookup(spec, "required") == .array([.string("rules")]))
        #expect(string(spec, "x-kubernetes-validations.0.rule") == "self.rules.all(r, r.backendRefs.size() > 0)")
        #expect(string(spec, "x-kubernetes-validations.0.message") == #"every rule needs a backend; see "backendRefs""#)
        #expect(string(spec, "x-kubernetes-validations.1.rule") == "!has(self.fallback) || self.fallback.all(f, f.name != '')")
        #expect(string(spec, "x-kubernetes-validations.1.messageExpression") == #"'fallback ' + string(self.fallback.size()) + " entries""#)
        let weight = lookup(spec, "properties.rules.items.properties.weight")
        #expect(lookup(spec, "properties.rules.maxItems") == number("64"))
        #expect(lookup(weight, "maximum") == number("1e3"))
        #expect(lookup(weight, "default") == .null)
    }

    @Test func crlfLineEndsBOMAndTrailingSpacesAreAccepted() throws {
        let text = "\u{FEFF}kind: Service   \r\nspec:\r\n  ports:\r\n  - port: 80 \r\n    name: http\r\n"
        let documents = try YAMLReader.readDocuments(text)
        #expect(documents == [object([
            "kind": .string("Service"),
            "spec": object(["ports": .array([object(["port": number("80"), "name": .string("http")])])]),
        ])])
    }

    @Test func commentsAndBlankLinesAnywhereAreIgnored() throws {
        let text = """
            # leading comment

            a: 1 # trailing
              # indented comment between entries

            b:   # the value is on the next lines
              # comment inside the nested block
              - x  # item comment

              - y#not-a-comment
            c: "#not a comment"  # but this is
            """
        #expect(try YAMLReader.readDocuments(text) == [object([
            "a": number("1"),
            "b": .array([.string("x"), .string("y#not-a-comment")]),
            "c": .string("#not a comment"),
        ])])
    }

    @Test func flowCollectionsMaySpanLines() throws {
        let text = """
            args: [
              "--config", /etc/sluice,   # comment inside
              {name: x, values: [1, 2]},
            ]
            env: {A: '1',
                  B: two words}
            """
        #expect(try YAMLReader.readDocuments(text) == [object([
            "args": .array([
                .string("--config"), .string("/etc/sluice"),
                object(["name": .string("x"), "values": .array([number("1"), number("2")])]),
            ]),
            "env": object(["A": .string("1"), "B": .string("two words")]),
        ])])
    }

    @Test func multiLinePlainScalarsAreFolded() throws {
        let text = """
            description: a long
              description that
              continues

              after a blank line
            next: value
            """
        #expect(try YAMLReader.readDocuments(text) == [object([
            "description": .string("a long description that continues\nafter a blank line"),
            "next": .string("value"),
        ])])
    }

    @Test func nestedSequencesAndCompactMappingsInSequences() throws {
        let text = """
            - - a
              - b
            - key: v
              other:
              - 1
            -
            - !!not-a-tag-in-quotes
            """
        #expect(throws: YAMLError.self) { try YAMLReader.readDocuments(text) }
        let valid = text.replacingFirst("- !!not-a-tag-in-quotes", with: "- '!!ok'")
        #expect(try YAMLReader.readDocuments(valid) == [.array([
            .array([.string("a"), .string("b")]),
            object(["key": .string("v"), "other": .array([number("1")])]),
            .null,
            .string("!!ok"),
        ])])
    }

    @Test func emptyStreamsAndEmptyDocumentsYieldNothing() throws {
        #expect(try YAMLReader.readDocuments("") == [])
        #expect(try YAMLReader.readDocuments("# only a comment\n\n") == [])
        #expect(try YAMLReader.readDocuments("---\n---\n...\n") == [])
        #expect(try YAMLReader.readDocuments("--- ~\n") == [.null])
        #expect(try YAMLReader.readDocuments("--- |\n  text\n--- [1]\n") == [.string("text\n"), .array([number("1")])])
    }
}

extension String {
    /// Replaces the first occurrence of `target` (test helper; no Foundation).
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        return self[..<range.lowerBound] + replacement + self[range.upperBound...]
    }
}
