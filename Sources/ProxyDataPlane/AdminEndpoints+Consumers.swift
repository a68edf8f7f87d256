import ProxyCore
import ProxyHTTPServer
import ProxyIO

/// The admin listener's consumer usage endpoints (docs/config.md, "Consumer usage on the admin listener"): read each token limit's and
/// quota's use and what remains, reset one or all of them, or adjust one by a delta. They act
/// on the serving snapshot's limiters, which reloads carry over while a consumer's limits stay.
extension DataPlane {
    /// `GET /consumers`, `GET /consumers/<name>/usage`, `POST /consumers/<name>/usage/reset`,
    /// `POST /consumers/<name>/usage/adjust`; false (nothing answered) when `path` is none of them.
    func consumerUsage(method: HTTPMethod, path: Substring, body: [UInt8], response: HTTPResponseWriter) -> Bool {
        let snapshot = current
        let now = MeterInstant(monotonic: clock.now(), wallNanoseconds: clock.wallNanoseconds())
        if path == "/consumers" {
            guard method == .get else { return false }
            response.respondJSON(200, .object(JSONObject([
                ("consumers", .array(snapshot.consumers.metered.enumerated().map { index, consumer in
                    Self.usageDocument(consumer, at: now, requests: Self.requestReadings(index, consumer, in: snapshot, at: now))
                })),
            ])))
            return true
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].isEmpty, parts[1] == "consumers", parts[3] == "usage", parts.count <= 5 else { return false }
        let action = parts.count == 5 ? parts[4] : nil
        guard let index = snapshot.consumers.metered.firstIndex(where: { $0.name[...] == parts[2] }) else {
            response.respondWithError(status: 404, code: "consumer_not_found", message: "no consumer named \"\(parts[2])\" is configured")
            return true
        }
        let consumer = snapshot.consumers.metered[index]
        let requests = Self.requestReadings(index, consumer, in: snapshot, at: now)
        switch (method, action) {
        case (.get, nil):
            response.respondJSON(200, Self.usageDocument(consumer, at: now, requests: requests))
        case (.post, "reset"?), (.post, "adjust"?):
            switch Self.usageChange(body, adjust: action == "adjust", consumer: consumer) {
            case .failure(let message):
                response.respondWithError(status: 400, code: "invalid_request", message: message.description)
            case .success(let changes):
                for (field, change) in changes {
                    for limiter in consumer.ownTokenLimiters where limiter.adjust(field, change, at: now) { break }
                }
                StandardStreams.writeLine(Self.event("consumer_usage_changed", ["consumer": consumer.name, "action": String(action!)]))
                response.respondJSON(200, Self.usageDocument(consumer, at: now, requests: requests))
            }
        default:
            return false
        }
        return true
    }

    /// The request windows' counts of the consumer at `index` of `metered` (its own, then its
    /// per-model overrides', named by field: `requestsPerMinute`, `models[gpt-4o*].requestsPerMinute`),
    /// where this sidecar knows them: in process (no Redis, or the anonymous limits), or its view
    /// in sync mode; nil in strict mode (the counts are only in Redis).
    static func requestReadings(_ index: Int, _ consumer: ConsumerTable.Consumer, in snapshot: ProxySnapshot,
                                at now: MeterInstant) -> [(field: String, status: RateLimitStatus)]? {
        func named(_ readings: [(window: RateLimitWindow, status: RateLimitStatus)]?, _ scope: String) -> [(field: String, status: RateLimitStatus)] {
            (readings ?? []).map { (scope + $0.window.requestsField, $0.status) }
        }
        guard let redis = snapshot.redis, index < snapshot.consumers.consumers.count else {
            return named(consumer.limiter?.readings(at: now.monotonic), "")
                + consumer.models.flatMap { named($0.limiter?.readings(at: now.monotonic), $0.scope) }
        }
        switch redis.config.mode {
        case .sync:
            return named(redis.synced[index]?.readings(at: now.monotonic), "")
                + zip(consumer.models, redis.overrideSynced[index]).flatMap { named($1?.readings(at: now.monotonic), $0.scope) }
        case .strict:
            return consumer.limiter == nil && consumer.models.allSatisfy({ $0.limiter == nil }) ? [] : nil
        }
    }

    /// One consumer's limits: each request window's count (`requests`; nil: not known here),
    /// and each token limit's and quota's use in its current window or period.
    static func usageDocument(_ consumer: ConsumerTable.Consumer, at now: MeterInstant,
                              requests: [(field: String, status: RateLimitStatus)]?) -> JSONValue {
        let readings = consumer.ownTokenLimiters.flatMap { limiter in limiter.readings(at: now).map { ($0, limiter.currency) } }
        var members: [(key: String, value: JSONValue)] = [("consumer", .string(consumer.name))]
        if let requests {
            members.append(("requests", .array(requests.map { field, status in
                .object(JSONObject([
                    ("limit", .string(field)), ("max", .number(JSONNumber(status.limit))),
                    ("used", .number(JSONNumber(status.limit - status.remaining))), ("remaining", .number(JSONNumber(status.remaining))),
                    ("resetsInSeconds", seconds(status.reset)),
                ]))
            })))
        }
        return .object(JSONObject(members + [
            ("limits", .array(readings.map { reading, currency in
                var members: [(key: String, value: JSONValue)] = [("limit", .string(reading.field))]
                if case .costQuota = reading.kind {
                    members += [("max", money(reading.limit)), ("used", money(reading.used)), ("remaining", money(reading.remaining)),
                                ("currency", .string(currency))]
                } else {
                    members += [("max", .number(JSONNumber(reading.limit))), ("used", .number(JSONNumber(reading.used))),
                                ("remaining", .number(JSONNumber(reading.remaining)))]
                }
                members.append(("resetsInSeconds", seconds(reading.reset)))
                return .object(JSONObject(members))
            })),
        ]))
    }

    /// The limits a reset or adjust body names: `{"limit": "<field>"}` (reset; omitted: every
    /// limit) or `{"limit": "<field>", "delta": <number>}` (adjust; spend in the currency).
    static func usageChange(_ body: [UInt8], adjust: Bool, consumer: ConsumerTable.Consumer)
        -> Result<[(String, UsageChange)], UsageChangeError> {
        let meters = consumer.ownTokenLimiters.flatMap(\.meters)
        let fields = meters.map(\.field)
        var object = JSONObject()
        if !body.isEmpty {
            guard case .object(let parsed)? = try? JSONParser.parse(body) else {
                return .failure(UsageChangeError("the body must be a JSON object"))
            }
            object = parsed
        }
        guard case .string(let field)? = object["limit"] else {
            if adjust { return .failure(UsageChangeError("\"limit\" is required: one of \(fields)")) }
            return .success(fields.map { ($0, .reset) })
        }
        guard let kind = meters.first(where: { $0.field == field })?.kind else {
            return .failure(UsageChangeError("consumer \"\(consumer.name)\" has no limit \"\(field)\"; it has \(fields)"))
        }
        guard adjust else { return .success([(field, .reset)]) }
        guard case .number(let number)? = object["delta"], let delta = number.double, delta.isFinite else {
            return .failure(UsageChangeError("\"delta\" is required: a number to add to what was used (negative: give back)"))
        }
        if case .costQuota = kind {
            let micros = TokenLimiter.micros(abs(delta))
            return .success([(field, .delta(delta < 0 ? -micros : micros))])
        }
        guard let tokens = number.int else { return .failure(UsageChangeError("\"delta\" of \"\(field)\" must be a whole number of tokens")) }
        return .success([(field, .delta(tokens))])
    }

    /// Whole seconds, rounded up.
    private static func seconds(_ duration: ProxyDuration) -> JSONValue {
        .number(JSONNumber(Int((duration.nanoseconds + 999_999_999) / 1_000_000_000)))
    }

    private static func money(_ micros: Int) -> JSONValue {
        .number(JSONNumber(literal: "\(Double(micros) / 1_000_000)"))
    }
}

/// Why an admin usage change was refused (400).
struct UsageChangeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
