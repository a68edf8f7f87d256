import Testing
@testable import ProxyCore

/// One invalid config and every issue it must produce, verbatim.
struct BadConfigCase: CustomTestStringConvertible, Sendable {
    let label: String
    let text: String
    let expected: [String]

    init(_ label: String, _ text: String, _ expected: [String]) {
        self.label = label
        self.text = text
        self.expected = expected
    }

    var testDescription: String { label }
}

private func route(_ split: String, match: String? = nil, extra: String = "") -> String {
    #"{"name": "r", "# + (match.map { #""match": \#($0), "# } ?? "") + #""split": [\#(split)]\#(extra)}"#
}

private func backend(_ fields: String) -> String {
    #"{"name": "openai", "provider": "openai", "baseURL": "https://api.openai.com/v1", \#(fields)}"#
}

private let badConfigs: [BadConfigCase] = [
    // Split entries and weights.
    .init("negative weight", configText(routes: route(#"{"backend": "openai", "weight": 90}, {"backend": "deepseek", "weight": -5}"#)),
          ["routes[0].split[1].weight: -5 is not a non-negative integer"]),
    .init("fractional weight", configText(routes: route(#"{"backend": "openai", "weight": 2.5}"#)),
          ["routes[0].split[0].weight: 2.5 is not a non-negative integer"]),
    .init("weight as a string", configText(routes: route(#"{"backend": "openai", "weight": "10"}"#)),
          [#"routes[0].split[0].weight: "10" is not a non-negative integer"#]),
    .init("weight too large", configText(routes: route(#"{"backend": "openai", "weight": 2000000}"#)),
          ["routes[0].split[0].weight: 2000000 is greater than the maximum 1000000"]),
    .init("missing weight", configText(routes: route(#"{"backend": "openai"}"#)),
          ["routes[0].split[0].weight: required field is missing"]),
    .init("weights summing to zero", configText(routes: route(#"{"backend": "openai", "weight": 0}, {"backend": "deepseek", "weight": 0}"#)),
          ["routes[0].split: weights sum to 0; at least one entry needs a positive weight"]),
    .init("empty split", configText(routes: route("")),
          ["routes[0].split: expected at least one entry"]),
    .init("unknown backend in a split", configText(routes: route(#"{"backend": "deepsek", "weight": 1}"#)),
          [#"routes[0].split[0].backend: unknown backend "deepsek"; defined backends are "openai", "deepseek""#]),
    // Names.
    .init("duplicate backend names", configText(backends: configTestBackends + ", " + backend(#""credentials": {"file": "openai-key"}"#)),
          [#"backends[2].name: duplicate backend name "openai" (first used by backends[0])"#]),
    .init("duplicate route names", configText(routes: #"{"name": "a", "match": {"models": ["x"]}, "split": [{"backend": "openai", "weight": 1}]}, {"name": "a", "split": [{"backend": "openai", "weight": 1}]}"#),
          [#"routes[1].name: duplicate route name "a" (first used by routes[0])"#]),
    .init("name with a space", configText(routes: #"{"name": "my route", "split": [{"backend": "openai", "weight": 1}]}"#),
          [#"routes[0].name: "my route" is not a valid name; expected 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit"#]),
    // Matching.
    .init("regex that does not compile", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, match: #"{"model": {"regex": "gpt-(4"}}"#)),
          [#"routes[0].match.model.regex: "gpt-(4" is not a valid regular expression: missing ")" for the group opened at position 4"#]),
    .init("header regex that does not compile", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, match: #"{"headers": [{"name": "x-team", "regex": "[a-"}]}"#)),
          [#"routes[0].match.headers[0].regex: "[a-" is not a valid regular expression: missing "]" for the class opened at position 0"#]),
    .init("regex with lookahead", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, match: #"{"model": {"regex": "gpt-4(?!o)"}}"#)),
          [#"routes[0].match.model.regex: "gpt-4(?!o)" is not a valid regular expression: negative lookahead "(?!" at position 5 is not supported: it needs backtracking, and Sluice regexes match in linear time"#]),
    .init("header regex with a backreference", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, match: #"{"headers": [{"name": "x-team", "regex": "(a)\\1"}]}"#)),
          [#"routes[0].match.headers[0].regex: "(a)\\1" is not a valid regular expression: a backreference "\\1" at position 3 is not supported: it needs backtracking, and Sluice regexes match in linear time"#]),
    .init("regex with an atomic group", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, match: #"{"model": {"regex": "(?>a+)b"}}"#)),
          [#"routes[0].match.model.regex: "(?>a+)b" is not a valid regular expression: an atomic group "(?>" at position 0 is not supported: it needs backtracking, and Sluice regexes match in linear time"#]),
    .init("regex repetition over the limit", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, match: #"{"model": {"regex": "a{5000}"}}"#)),
          [#"routes[0].match.model.regex: "a{5000}" is not a valid regular expression: repetition count 5000 at position 2 is greater than the maximum 1000"#]),
    .init("two model matchers", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, match: #"{"model": {"exact": "gpt-4o", "glob": "gpt-*"}}"#)),
          [#"routes[0].match.model: expected exactly one of "exact", "prefix", "glob", "regex", found "exact" and "glob""#]),
    .init("model and models together", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, match: #"{"model": {"exact": "a"}, "models": ["b"]}"#)),
          [#"routes[0].match: "model" and "models" are mutually exclusive; use one"#]),
    .init("header condition missing", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, match: #"{"headers": [{"name": "x-team"}]}"#)),
          [#"routes[0].match.headers[0]: expected exactly one of "exact", "present", "regex", found none"#]),
    .init("invalid header name", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, match: #"{"headers": [{"name": "x team", "present": true}]}"#)),
          [#"routes[0].match.headers[0].name: "x team" is not a valid header name"#]),
    .init("path without a slash", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, match: #"{"paths": ["v1/chat/completions"]}"#)),
          [#"routes[0].match.paths[0]: "v1/chat/completions" is not a request path; expected a path such as "/v1/chat/completions""#]),
    .init("catch-all before other routes", configText(routes: configTestRoutes + #", {"name": "later", "match": {"models": ["x"]}, "split": [{"backend": "openai", "weight": 1}]}"#),
          [#"routes[0]: route "default" has no match conditions, so it takes every request and routes[1] and later routes are unreachable; move it last"#]),
    .init("sticky with a typo", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, extra: #", "sticky": {"heder": "x-user-id"}"#)),
          [#"routes[0].sticky.heder: unknown field; did you mean "header"?"#, "routes[0].sticky.header: required field is missing"]),
    // Durations and numbers.
    .init("duration in words", configText(extra: #""defaults": {"timeouts": {"connect": "5 seconds"}}"#),
          [#"defaults.timeouts.connect: "5 seconds" is not a duration; expected a duration such as "250ms", "2s" or "1h""#]),
    .init("duration as a number", configText(backends: backend(#""timeouts": {"firstByte": 20}"#)),
          [#"backends[0].timeouts.firstByte: 20 is not a duration; expected a duration such as "250ms", "2s" or "1h""#]),
    .init("zero duration", configText(extra: #""defaults": {"timeouts": {"idle": "0s"}}"#),
          [#"defaults.timeouts.idle: "0s" is not a positive duration"#]),
    .init("zero body limit", configText(extra: #""defaults": {"maxRequestBodyBytes": 0}"#),
          ["defaults.maxRequestBodyBytes: 0 is not a positive integer"]),
    // Listeners.
    .init("listener by host name", configText(extra: #""listeners": {"app": "localhost:4000"}"#),
          [#"listeners.app: "localhost:4000" is not a numeric host:port address; expected an address such as "127.0.0.1:4000" or "[::1]:4000""#]),
    .init("listener port out of range", configText(extra: #""listeners": {"metrics": "0.0.0.0:70000"}"#),
          [#"listeners.metrics: "0.0.0.0:70000" is not a numeric host:port address; expected an address such as "127.0.0.1:4000" or "[::1]:4000""#]),
    .init("admin listener not on loopback", configText(extra: #""listeners": {"admin": "0.0.0.0:4001"}"#),
          [#"listeners.admin: "0.0.0.0:4001" is not a loopback address; the admin listener must bind 127.0.0.1 or [::1]"#]),
    .init("two listeners on one port", configText(extra: #""listeners": {"app": "127.0.0.1:4000", "metrics": "0.0.0.0:4000"}"#),
          ["listeners.metrics: port 4000 is already used by listeners.app"]),
    // Backends.
    .init("credentials file missing", configText(backends: backend(#""credentials": {"file": "missing-key"}"#)),
          [#"backends[0].credentials.file: "missing-key" does not exist in the secrets directory"#]),
    .init("credentials file escaping the secrets directory", configText(backends: backend(#""credentials": {"file": "../openai-key"}"#)),
          [#"backends[0].credentials.file: "../openai-key" is not a relative path inside the secrets directory"#]),
    .init("absolute credentials file", configText(backends: backend(#""credentials": {"file": "/etc/openai-key"}"#)),
          [#"backends[0].credentials.file: "/etc/openai-key" is not a relative path inside the secrets directory"#]),
    .init("inline key instead of a file", configText(backends: backend(#""credentials": {"key": "sk-live-123"}"#)),
          [#"backends[0].credentials.key: unknown field; expected one of "file", "files", "header", "cooldown""#,
           #"backends[0].credentials: expected exactly one of "file", "files""#]),
    .init("unknown credential header", configText(backends: backend(#""credentials": {"file": "openai-key", "header": "bearer"}"#)),
          [#"backends[0].credentials.header: "bearer" is not one of "authorization", "api-key", "x-api-key""#]),
    .init("CA file missing", configText(backends: backend(#""tls": {"caFile": "ca/other.pem"}"#)),
          [#"backends[0].tls.caFile: "ca/other.pem" does not exist in the secrets directory"#]),
    .init("CA file and insecureSkipVerify together", configText(backends: backend(#""tls": {"caFile": "ca.pem", "insecureSkipVerify": true}"#)),
          [#"backends[0].tls: "caFile" and "insecureSkipVerify": true contradict each other; keep one"#]),
    .init("insecureSkipVerify not a boolean", configText(backends: backend(#""tls": {"insecureSkipVerify": "yes"}"#)),
          [#"backends[0].tls.insecureSkipVerify: expected true or false, found "yes""#]),
    .init("TLS settings on plain http", configText(backends: #"{"name": "openai", "provider": "vllm", "baseURL": "http://10.0.0.1:8000/v1", "tls": {"caFile": "ca.pem"}}"#),
          [#"backends[0].tls: TLS settings need an https baseURL, found "http://10.0.0.1:8000/v1""#]),
    .init("baseURL with another scheme", configText(backends: #"{"name": "openai", "provider": "openai", "baseURL": "ftp://api.openai.com"}"#),
          [#"backends[0].baseURL: "ftp://api.openai.com" is not an http or https URL with a host, such as "https://api.openai.com/v1""#]),
    .init("baseURL without a host", configText(backends: #"{"name": "openai", "provider": "openai", "baseURL": "https:///v1"}"#),
          [#"backends[0].baseURL: "https:///v1" is not an http or https URL with a host, such as "https://api.openai.com/v1""#]),
    .init("baseURL with user info", configText(backends: #"{"name": "openai", "provider": "openai", "baseURL": "https://sk-123@api.openai.com/v1"}"#),
          [#"backends[0].baseURL: "https://sk-123@api.openai.com/v1" must not contain user info; put the key in a file and name it in "credentials""#]),
    .init("baseURL with a query", configText(backends: #"{"name": "openai", "provider": "azure-openai", "baseURL": "https://x.openai.azure.com/openai?api-version=2024-06-01"}"#),
          [#"backends[0].baseURL: "https://x.openai.azure.com/openai?api-version=2024-06-01" must not have a query or fragment"#]),
    .init("missing baseURL", configText(backends: #"{"name": "openai", "provider": "openai"}"#),
          ["backends[0].baseURL: required field is missing"]),
    .init("unknown provider", configText(backends: #"{"name": "openai", "provider": "openai2", "baseURL": "https://api.openai.com/v1"}"#),
          [#"backends[0].provider: "openai2" is not one of "openai", "deepseek", "dashscope", "azure-openai", "anthropic", "vllm", "ollama", "openai-compatible""#]),
    .init("typo in a backend field", configText(backends: backend(#""timeout": {"connect": "1s"}"#)),
          [#"backends[0].timeout: unknown field; did you mean "timeouts"?"#]),
    .init("maxConcurrentRequests zero", configText(backends: backend(#""maxConcurrentRequests": 0"#)),
          ["backends[0].maxConcurrentRequests: 0 is not a positive integer"]),
    .init("models map with a number", configText(backends: backend(#""models": {"gpt-4o": 4}"#)),
          ["backends[0].models.gpt-4o: expected a string, found 4"]),
    // Fallback chains and triggers.
    .init("fallback to an unknown backend", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, extra: #", "fallback": {"chain": [{"backend": "deepsek"}]}"#)),
          [#"routes[0].fallback.chain[0].backend: unknown backend "deepsek"; defined backends are "openai", "deepseek""#]),
    .init("empty fallback chain", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, extra: #", "fallback": {"chain": []}"#)),
          ["routes[0].fallback.chain: expected at least one fallback entry"]),
    .init("fallback without a chain", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, extra: #", "fallback": {"on": {"timeout": false}}"#)),
          ["routes[0].fallback.chain: required field is missing"]),
    .init("fallback entry repeated", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, extra: #", "fallback": {"chain": [{"backend": "deepseek", "model": "m"}, {"backend": "deepseek"}, {"backend": "deepseek", "model": "m"}]}"#)),
          ["routes[0].fallback.chain[2]: repeats routes[0].fallback.chain[0]: same backend and model"]),
    .init("fallback to the route's only split entry", configText(routes: route(#"{"backend": "openai", "weight": 1, "model": "gpt-4o"}, {"backend": "deepseek", "weight": 0}"#, extra: #", "fallback": {"chain": [{"backend": "openai", "model": "gpt-4o"}]}"#)),
          [#"routes[0].fallback.chain[0]: is the route's only split entry (backend "openai", same model); to try it again, use retry.attempts"#]),
    .init("fallback status out of range", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, extra: #", "fallback": {"chain": [{"backend": "deepseek"}], "on": {"statuses": [429, 200, "3xx", 600]}}"#)),
          [#"routes[0].fallback.on.statuses[1]: 200 is not an error status; expected an integer from 400 to 599, "4xx" or "5xx""#,
           #"routes[0].fallback.on.statuses[2]: "3xx" is not an error status; expected an integer from 400 to 599, "4xx" or "5xx""#,
           #"routes[0].fallback.on.statuses[3]: 600 is not an error status; expected an integer from 400 to 599, "4xx" or "5xx""#]),
    .init("fallback trigger with a typo", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, extra: #", "fallback": {"chain": [{"backend": "deepseek"}], "on": {"timeouts": true}}"#)),
          [#"routes[0].fallback.on.timeouts: unknown field; did you mean "timeout"?"#]),
    .init("fallback trigger not a boolean", configText(extra: #""defaults": {"fallbackOn": {"connectFailure": "yes"}}"#),
          [#"defaults.fallbackOn.connectFailure: expected true or false, found "yes""#]),
    // Retries, deadlines, attempts, truncation.
    .init("retry attempts too many", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, extra: #", "retry": {"attempts": 11}"#)),
          ["routes[0].retry.attempts: 11 is greater than the maximum 10"]),
    .init("retry attempts zero", configText(extra: #""defaults": {"retry": {"attempts": 0}}"#),
          ["defaults.retry.attempts: 0 is not a positive integer"]),
    .init("retry budget over 100 percent", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, extra: #", "retry": {"budgetPercent": 150}"#)),
          ["routes[0].retry.budgetPercent: 150 is greater than the maximum 100"]),
    .init("backoff base longer than max", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, extra: #", "retry": {"backoff": {"base": "5s"}}"#)),
          [#"routes[0].retry.backoff: base "5s" is longer than max "2s""#]),
    .init("zero deadline", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, extra: #", "deadline": "0s""#)),
          [#"routes[0].deadline: "0s" is not a positive duration"#]),
    .init("maxAttempts too large", configText(extra: #""defaults": {"maxAttempts": 50}"#),
          ["defaults.maxAttempts: 50 is greater than the maximum 20"]),
    .init("truncation buffering without a truncation trigger", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, extra: #", "fallback": {"chain": [{"backend": "deepseek"}]}, "truncation": {"bufferStreams": "500ms"}"#)),
          ["routes[0].truncation: has no effect without a fallback chain and fallback.on.truncation: true"]),
    .init("truncation buffer as a number", configText(routes: route(#"{"backend": "openai", "weight": 1}"#, extra: #", "fallback": {"chain": [{"backend": "deepseek"}], "on": {"truncation": true}}, "truncation": {"bufferStreams": 500}"#)),
          [#"routes[0].truncation.bufferStreams: 500 is not a duration; expected a duration such as "250ms", "2s" or "1h""#]),
    // Backend policies.
    .init("queue without a concurrency limit", configText(backends: backend(#""queue": {"size": 10, "maxWait": "1s"}"#)),
          ["backends[0].queue: a queue needs maxConcurrentRequests"]),
    .init("queue with room but no wait", configText(backends: backend(#""maxConcurrentRequests": 2, "queue": {"size": 10}"#)),
          ["backends[0].queue.maxWait: must be positive when size is more than 0"]),
    .init("circuit breaker that never opens", configText(backends: backend(#""circuitBreaker": {"consecutiveFailures": 0, "errorRatePercent": 0}"#)),
          [#"backends[0].circuitBreaker: consecutiveFailures and errorRatePercent are both 0, so the breaker never opens; remove "circuitBreaker" instead"#]),
    .init("circuit breaker cooldown above its maximum", configText(backends: backend(#""circuitBreaker": {"cooldown": "10m"}"#)),
          [#"backends[0].circuitBreaker: cooldown "10m" is longer than maxCooldown "5m""#]),
    .init("circuit breaker error rate over 100", configText(backends: backend(#""circuitBreaker": {"errorRatePercent": 101}"#)),
          ["backends[0].circuitBreaker.errorRatePercent: 101 is greater than the maximum 100"]),
    .init("latency shift without a threshold", configText(backends: backend(#""latencyShift": {"weightPercent": 10}"#)),
          ["backends[0].latencyShift.p95Above: required field is missing"]),
    .init("latency shift to 100 percent", configText(backends: backend(#""latencyShift": {"p95Above": "3s", "weightPercent": 100}"#)),
          ["backends[0].latencyShift.weightPercent: 100 is greater than the maximum 99"]),
    .init("warmup with both request kinds", configText(backends: backend(#""warmup": {"get": "/models", "chat": {"model": "m"}}"#)),
          [#"backends[0].warmup: expected exactly one of "chat", "get", found "chat" and "get""#]),
    .init("warmup with a zero interval", configText(backends: backend(#""warmup": {"interval": "0s", "get": "/models"}"#)),
          [#"backends[0].warmup.interval: "0s" is not a positive duration"#]),
    .init("warmup get without a slash", configText(backends: backend(#""warmup": {"get": "models"}"#)),
          [#"backends[0].warmup.get: "models" is not a path; expected a path under the baseURL such as "/models""#]),
    .init("warmup chat without a model", configText(backends: backend(#""warmup": {"chat": {"maxTokens": 1}}"#)),
          ["backends[0].warmup.chat.model: required field is missing"]),
    .init("context window zero", configText(backends: backend(#""contextWindow": 0"#)),
          ["backends[0].contextWindow: 0 is not a positive integer"]),
    .init("default max_tokens on an OpenAI backend", configText(backends: backend(#""defaultMaxTokens": 1024"#)),
          ["backends[0].defaultMaxTokens: applies to anthropic backends only (the max_tokens of a translated request)"]),
    .init("azure settings on an OpenAI backend", configText(backends: backend(#""azure": {"apiVersion": "2024-10-21"}"#)),
          [#"backends[0].azure: applies to azure-openai backends only, found provider "openai""#]),
    .init("azure without an API version", configText(backends: backend(#""azure": {"deployments": {}}"#).replacingFirst(#""provider": "openai""#, with: #""provider": "azure-openai""#)),
          ["backends[0].azure.apiVersion: required field is missing"]),
    .init("azure deployment with a slash", configText(backends: backend(#""azure": {"apiVersion": "2024-10-21", "deployments": {"gpt-4o": "a/b"}}"#).replacingFirst(#""provider": "openai""#, with: #""provider": "azure-openai""#)),
          [#"backends[0].azure.deployments.gpt-4o: "a/b" is not a deployment name; expected letters, digits, '.', '_' and '-'"#]),
    .init("credentials with file and files", configText(backends: backend(#""credentials": {"file": "openai-key", "files": ["deepseek-key"]}"#)),
          [#"backends[0].credentials: expected exactly one of "file", "files", found both"#]),
    .init("credentials with an empty files list", configText(backends: backend(#""credentials": {"files": []}"#)),
          ["backends[0].credentials.files: expected 1 to 16 key files, found 0"]),
    .init("credentials naming a key file twice", configText(backends: backend(#""credentials": {"files": ["openai-key", "openai-key"]}"#)),
          ["backends[0].credentials.files: names a key file twice"]),
    .init("credentials with a missing key file", configText(backends: backend(#""credentials": {"files": ["openai-key", "nope"]}"#)),
          [#"backends[0].credentials.files[1]: "nope" does not exist in the secrets directory"#]),
    .init("credentials with a zero cooldown", configText(backends: backend(#""credentials": {"file": "openai-key", "cooldown": "0s"}"#)),
          [#"backends[0].credentials.cooldown: "0s" is not a positive duration"#]),
    .init("default max_tokens zero", configText(backends: backend(#""defaultMaxTokens": 0"#).replacingFirst(#""provider": "openai""#, with: #""provider": "anthropic""#)),
          ["backends[0].defaultMaxTokens: 0 is not a positive integer"]),
    .init("negative price", configText(backends: backend(#""prices": {"gpt-4o": {"input": -1, "output": 10}}"#)),
          ["backends[0].prices.gpt-4o.input: -1 is not a non-negative number"]),
    .init("negative cache-write price", configText(backends: backend(#""prices": {"gpt-4o": {"input": 1, "output": 10, "cacheWriteInput": -2}}"#)),
          ["backends[0].prices.gpt-4o.cacheWriteInput: -2 is not a non-negative number"]),
    .init("price without output", configText(backends: backend(#""prices": {"gpt-4o": {"input": 2.5}}"#)),
          ["backends[0].prices.gpt-4o.output: required field is missing"]),
    .init("price in a lowercase currency", configText(backends: backend(#""prices": {"gpt-4o": {"input": 2.5, "output": 10, "currency": "usd"}}"#)),
          [#"backends[0].prices.gpt-4o.currency: "usd" is not a currency code; expected three capital letters such as "USD""#]),
    // The document.
    .init("wrong apiVersion", configText().replacingFirst("sluice.dev/v1alpha1", with: "sluice.dev/v1"),
          [#"apiVersion: "sluice.dev/v1" is not supported; expected "sluice.dev/v1alpha1""#]),
    .init("missing kind", configText().replacingFirst(#""kind": "ProxyConfig","#, with: ""),
          [#"kind: required field is missing; expected "ProxyConfig""#]),
    .init("unknown root field far from any known one", configText(extra: #""colour": "blue""#),
          [#"colour: unknown field; expected one of "apiVersion", "kind", "listeners", "defaults", "backends", "routes", "consumers", "authentication", "redis", "guards", "cache""#]),
    .init("no routes", configText(routes: ""),
          ["routes: expected at least one route"]),
    .init("no backends", configText(backends: "", routes: ""),
          ["backends: expected at least one backend", "routes: expected at least one route"]),
    .init("routes not an array", #"{"apiVersion": "sluice.dev/v1alpha1", "kind": "ProxyConfig", "backends": [\#(configTestBackends)], "routes": {}}"#,
          ["routes: expected an array, found an object"]),
    .init("not an object", "[1, 2]", ["expected an object, found an array"]),
    .init("duplicate key", #"{"apiVersion": "sluice.dev/v1alpha1", "apiVersion": "x"}"#,
          [#"invalid JSON: line 1, column 39: duplicate object key "apiVersion""#]),
    .init("trailing comma", "{\"kind\": \"ProxyConfig\",\n}",
          ["invalid JSON: line 2, column 1: expected '\"' to start an object key after ',', found '}'"]),
    .init("many problems at once", configText(
        extra: #""listeners": {"app": "nowhere"}"#,
        backends: #"{"name": "openai", "provider": "gpt", "baseURL": "https://api.openai.com/v1", "credentials": {"file": "nope"}}"#,
        routes: #"{"name": "r", "split": [{"backend": "openai", "weight": -1}, {"backend": "ghost", "weight": 1}]}"#),
          [#"listeners.app: "nowhere" is not a numeric host:port address; expected an address such as "127.0.0.1:4000" or "[::1]:4000""#,
           #"backends[0].provider: "gpt" is not one of "openai", "deepseek", "dashscope", "azure-openai", "anthropic", "vllm", "ollama", "openai-compatible""#,
           #"backends[0].credentials.file: "nope" does not exist in the secrets directory"#,
           "routes[0].split[0].weight: -1 is not a non-negative integer",
           #"routes[0].split[1].backend: unknown backend "ghost"; defined backends are "openai""#]),
]

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        replacing(target, with: replacement, maxReplacements: 1)
    }
}

@Suite struct ConfigBadConfigTests {
    @Test(arguments: badConfigs)
    func badConfigReportsExactIssues(_ bad: BadConfigCase) {
        #expect(configIssues(bad.text) == bad.expected)
    }

    @Test func theTableIsLargeAndEveryBaseIsValid() throws {
        #expect(badConfigs.count >= 25)
        _ = try decodeValidConfig(configText())
        _ = try decodeValidConfig(configText(backends: backend(#""credentials": {"file": "openai-key"}"#)))
    }
}
