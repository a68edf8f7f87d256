/// The Lua script behind every shared limit: one atomic step that rolls a counter's window
/// over on the server's clock, checks a limit, adds what fits, sets the expiry, and reports
/// where the counter stands (ADR 0009).
///
/// The counter is a hash: `w` the current window's start (ms, server time; for a lifetime
/// counter its creation), `c` its count, `p` the previous window's count. Reading (delta 0)
/// creates nothing. Counts are exact up to 2^53 (Lua numbers are doubles).
///
/// Pure; the I/O layer sends it with `EVALSHA`, falling back to `EVAL` on `NOSCRIPT`.
package enum RedisWindowScript {
    package static let source = """
        -- Sluice window counter (docs/adr/0009-redis-limits.md).
        -- KEYS[1]: the counter. ARGV: mode (0 sliding, 1 fixed, 2 lifetime), window ms, delta, limit (-1: none).
        -- Returns {granted, count, reset ms, retry ms}.
        if redis.replicate_commands then redis.replicate_commands() end
        local mode = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local delta = tonumber(ARGV[3])
        local limit = tonumber(ARGV[4])
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local state = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
        local stored = tonumber(state[1])
        local current = tonumber(state[2]) or 0
        local previous = tonumber(state[3]) or 0
        local start
        if mode == 2 then
          start = stored or now
        else
          start = now - (now % window)
          if stored ~= start then
            if mode == 0 and stored == start - window then previous = current else previous = 0 end
            current = 0
          end
        end
        local elapsed = now - start
        local carried = 0
        if mode == 0 then carried = math.floor(previous * (window - elapsed) / window) end
        local used = current + carried
        local granted = delta
        if limit >= 0 and delta > 0 then granted = math.min(delta, math.max(0, limit - used)) end
        if current + granted < 0 then granted = -current end
        current = current + granted
        if granted ~= 0 or (stored ~= nil and stored ~= start) then
          redis.call('HSET', KEYS[1], 'w', start, 'c', current, 'p', previous)
          local lifetime = window
          if mode == 0 then lifetime = 2 * window end
          redis.call('PEXPIREAT', KEYS[1], start + lifetime)
        end
        local reset = start + window - now
        local retry = 0
        if limit >= 0 and delta > 0 and granted == 0 then
          retry = reset
          if mode == 0 then
            if current < limit and previous > 0 then
              retry = math.floor(window - (limit - current) * window / previous) + 1 - elapsed
            elseif limit > 0 then
              retry = reset + math.max(0, math.floor(window - limit * window / current) + 1)
            else
              retry = reset + window
            end
          end
          if retry < 1 then retry = 1 end
        end
        return {granted, used + granted, reset, retry}
        """

    /// `EVALSHA` of the script (its SHA-1 in hex, which the server knows once it has run it).
    package static func evalSHA(_ sha: String, key: RedisCounterKey, window: RedisWindow, delta: Int64, limit: Int64?) -> RedisCommand {
        RedisCommand([Array("EVALSHA".utf8), Array(sha.utf8)] + arguments(key: key, window: window, delta: delta, limit: limit))
    }

    /// `EVAL` of the script: after `NOSCRIPT` (a restarted or new node); it also caches it.
    package static func eval(key: RedisCounterKey, window: RedisWindow, delta: Int64, limit: Int64?) -> RedisCommand {
        RedisCommand([Array("EVAL".utf8), Array(source.utf8)] + arguments(key: key, window: window, delta: delta, limit: limit))
    }

    private static func arguments(key: RedisCounterKey, window: RedisWindow, delta: Int64, limit: Int64?) -> [[UInt8]] {
        [Array("1".utf8), key.bytes, RedisCommand.argument(window.mode), RedisCommand.argument(window.milliseconds),
         RedisCommand.argument(delta), RedisCommand.argument(limit.map { max(0, $0) } ?? -1)]
    }

    /// The script's reply; nil when it is not four integers.
    package static func decode(_ reply: RESPValue) -> RedisWindowCount? {
        guard let values = reply.elements, values.count == 4,
              case .integer(let granted) = values[0], case .integer(let count) = values[1],
              case .integer(let reset) = values[2], case .integer(let retry) = values[3] else { return nil }
        return RedisWindowCount(granted: granted, count: count,
                                resetAfter: .milliseconds(UInt64(max(0, reset))), retryAfter: .milliseconds(UInt64(max(0, retry))))
    }
}
