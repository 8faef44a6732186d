package io.github.sseprogress.redis;

/**
 * The engine's Lua scripts. Each runs atomically in Redis: a topic's id, its history entry and the
 * publish on the channel happen together or not at all, so every node sees the same ids in the same
 * order and the history always holds what was published. Time is Redis's ({@code TIME}), never a
 * node's clock.
 */
final class Scripts {

    private Scripts() {
    }

    private static final String NOW_MS = "local now = redis.call('TIME')\n"
            + "now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)\n";

    /**
     * Publishes a topic event (hasName {@code L}: a loss marker, kept in the history like an event so
     * a node that was away still finds it). KEYS: meta, history. ARGV: topic, hasName, name, data, newEpoch,
     * maxlen, ageMs, channel, node, op. Returns the seq, or 0 when this node's op was already applied
     * (a retried batch).
     */
    static final String PUBLISH_TOPIC = NOW_MS
            + "local e = redis.call('HGET', KEYS[1], 'e')\n"
            + "if not e then\n"
            + "  e = ARGV[5]\n"
            + "  redis.call('DEL', KEYS[2])\n"
            + "  redis.call('HSET', KEYS[1], 'e', e)\n"
            + "end\n"
            + "local nf = 'n:' .. ARGV[9]\n"
            + "local last = redis.call('HGET', KEYS[1], nf)\n"
            + "if last and tonumber(last) >= tonumber(ARGV[10]) then return 0 end\n"
            + "redis.call('HSET', KEYS[1], nf, ARGV[10])\n"
            + "local s = redis.call('HINCRBY', KEYS[1], 's', 1)\n"
            + "redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '0-' .. s, 'h', ARGV[2], 'n', ARGV[3], 'd', ARGV[4], 't', now)\n"
            + "redis.call('PEXPIRE', KEYS[1], ARGV[7])\n"
            + "redis.call('PEXPIRE', KEYS[2], ARGV[7])\n"
            + "local env = {v = 1, k = 't', t = ARGV[1], e = e, s = s, d = ARGV[4]}\n"
            + "if ARGV[2] == '1' then env.n = ARGV[3] end\n"
            + "if ARGV[2] == 'L' then env.l = true end\n"
            + "redis.call('PUBLISH', ARGV[8], cjson.encode(env))\n"
            + "return s\n";

    /**
     * Creates or joins a job; idempotent for one call (a retry with the same new run answers "created"
     * again). KEYS: job, leases. ARGV: replaceFinished, newRun, node, leaseMs, topic.
     * Returns {created, run, seq, hasName, name, data, json, finished}.
     */
    static final String START_JOB = NOW_MS
            + "local r = redis.call('HGET', KEYS[1], 'r')\n"
            + "if r and r == ARGV[2] then\n" // a retried call that created it
            + "  local h = redis.call('HMGET', KEYS[1], 'r', 's', 'h', 'n', 'd', 'j', 'f')\n"
            + "  return {'1', h[1], h[2], h[3], h[4], h[5], h[6], h[7]}\n"
            + "end\n"
            + "if r then\n"
            + "  local f = redis.call('HGET', KEYS[1], 'f')\n"
            + "  if f ~= '1' or ARGV[1] == '0' then\n"
            + "    local h = redis.call('HMGET', KEYS[1], 'r', 's', 'h', 'n', 'd', 'j', 'f')\n"
            + "    return {'0', h[1], h[2], h[3], h[4], h[5], h[6], h[7]}\n"
            + "  end\n"
            + "end\n"
            + "redis.call('DEL', KEYS[1])\n"
            + "redis.call('HSET', KEYS[1], 'r', ARGV[2], 'o', ARGV[3], 's', '0', 'f', '0')\n"
            + "redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[2] .. ' ' .. ARGV[5])\n"
            + "return {'1', ARGV[2], '0', '0', '', '', '0', '0'}\n";

    /** Appends a job event (shared by publish and reap). */
    private static final String JOB_EVENT = "local function jobEvent(key, topic, run, hasName, name, data, json, fin, retention, channel, leases)\n"
            + "  local s = redis.call('HINCRBY', key, 's', 1)\n"
            + "  redis.call('HSET', key, 'h', hasName, 'n', name, 'd', data, 'j', json, 'f', fin)\n"
            + "  if fin == '1' then\n"
            + "    redis.call('ZREM', leases, run .. ' ' .. topic)\n"
            + "    if tonumber(retention) > 0 then redis.call('PEXPIRE', key, retention) else redis.call('DEL', key) end\n"
            + "  end\n"
            + "  local env = {v = 1, k = 'j', t = topic, r = run, s = s, d = data, j = (json == '1'), f = (fin == '1')}\n"
            + "  if hasName == '1' then env.n = name end\n"
            + "  redis.call('PUBLISH', channel, cjson.encode(env))\n"
            + "  return s\n"
            + "end\n";

    /**
     * Publishes a job event. KEYS: job, leases. ARGV: run, hasName, name, data, json, terminal,
     * retentionMs, channel, topic. Returns the seq, or 0 when the run is not the current one or is
     * finished.
     */
    static final String PUBLISH_JOB = JOB_EVENT
            + "if redis.call('HGET', KEYS[1], 'r') ~= ARGV[1] then return 0 end\n"
            + "if redis.call('HGET', KEYS[1], 'f') == '1' then return 0 end\n"
            + "return jobEvent(KEYS[1], ARGV[9], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], KEYS[2])\n";

    /**
     * Asks a running job to cancel: sets its cancel flag {@code c} (read again by a node that was away)
     * and publishes {@code {"v":1,"k":"c","t":topic,"r":run}}; a finished run is left as it is. KEYS: job.
     * ARGV: channel, topic. Returns nil when there is no job, else {run, seq, hasName, name, data, json,
     * finished} as it was when asked.
     */
    static final String CANCEL_JOB = "local h = redis.call('HMGET', KEYS[1], 'r', 's', 'h', 'n', 'd', 'j', 'f')\n"
            + "if not h[1] then return false end\n"
            + "if h[7] ~= '1' then\n"
            + "  redis.call('HSET', KEYS[1], 'c', '1')\n"
            + "  redis.call('PUBLISH', ARGV[1], cjson.encode({v = 1, k = 'c', t = ARGV[2], r = h[1]}))\n"
            + "end\n"
            + "return h\n";

    /** Renews this node's leases. KEYS: leases. ARGV: leaseMs, members... (only those still present). */
    static final String RENEW = NOW_MS
            + "for i = 2, #ARGV do\n"
            + "  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i])\n"
            + "end\n"
            + "return #ARGV - 1\n";

    /**
     * Ends the jobs whose lease lapsed (their node died) with a failed terminal. KEYS: leases. ARGV:
     * job key prefix, channel, failed payload, retentionMs, limit. Returns how many it ended.
     */
    static final String REAP = JOB_EVENT + NOW_MS
            + "local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[5]))\n"
            + "local n = 0\n"
            + "for _, m in ipairs(dead) do\n"
            + "  redis.call('ZREM', KEYS[1], m)\n"
            + "  local sp = string.find(m, ' ', 1, true)\n"
            + "  if sp then\n"
            + "    local run = string.sub(m, 1, sp - 1)\n"
            + "    local topic = string.sub(m, sp + 1)\n"
            + "    local key = ARGV[1] .. topic\n"
            + "    if redis.call('HGET', key, 'r') == run and redis.call('HGET', key, 'f') ~= '1' then\n"
            + "      jobEvent(key, topic, run, '0', '', ARGV[3], '1', '1', ARGV[4], ARGV[2], KEYS[1])\n"
            + "      n = n + 1\n"
            + "    end\n"
            + "  end\n"
            + "end\n"
            + "return n\n";
}
