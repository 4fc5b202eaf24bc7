// Lua scripts: each runs atomically in Redis, so no other process's command falls between the
// read and the write. They touch one key each (Redis Cluster safe).

/**
 * Writes the tokens key and publishes the change, in one step (docs/scaling.md "Versions").
 * KEYS[1] token key, KEYS[2] the lease record (created by a 'set' or 'cas' write, never by a 'seed':
 * see ACQUIRE). ARGV: mode ('set' | 'cas' | 'seed'), expected accessToken ('' = expect empty),
 * expected refreshToken, '1' if the expected set has a refreshToken, floor version (the version the
 * caller holds `expected` at, -1 if it does not hold them), next tokens as JSON ('' = clear),
 * channel, message head (JSON up to `"v":`).
 *
 * - Every write carries a version `v` in the JSON: max(stored + 1, floor + 1, Redis time in ms). A
 *   clear leaves a tombstone `{"v":n}`, so "cleared" (tombstone) and "Redis forgot" (no key) differ.
 * - 'cas' writes if the stored tokens are the expected ones (same access and refresh token; a
 *   tombstone or no key matches an empty expectation), or if Redis is behind the caller: the caller
 *   holds `expected` at version `floor` and Redis has an older version or no key (a restart or an
 *   older snapshot), so the caller's view is the newest there is.
 * - 'seed' restores the caller's newest tokens at their own version when Redis has no key or an
 *   older version.
 * Returns { 1 if written, the version now stored }.
 */
export const WRITE = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local cur = redis.call('get', KEYS[1])
local curV, curA, curR = 0, nil, nil
if cur then
  local ok, d = pcall(cjson.decode, cur)
  if ok and type(d) == 'table' then
    if type(d.v) == 'number' then curV = d.v end
    if type(d.accessToken) == 'string' then curA = d.accessToken end
    if type(d.refreshToken) == 'string' then curR = d.refreshToken end
  end
end
local mode, floor, nextJson = ARGV[1], tonumber(ARGV[5]), ARGV[6]
local v
if mode == 'seed' then
  if cur and curV >= floor then return {0, curV} end
  v = floor
else
  if mode == 'cas' then
    local match
    if ARGV[2] == '' then match = (curA == nil)
    else
      local expR = nil
      if ARGV[4] == '1' then expR = ARGV[3] end
      match = (curA == ARGV[2] and curR == expR)
    end
    if not match and not (floor >= 0 and (not cur or curV < floor)) then return {0, curV} end
  end
  local t = redis.call('time')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  v = math.max(curV + 1, floor + 1, now)
end
local vs = string.format('%d', v)
local stored
if nextJson == '' then stored = '{"v":' .. vs .. '}'
else stored = string.sub(nextJson, 1, -2) .. ',"v":' .. vs .. '}' end
redis.call('set', KEYS[1], stored)
if mode ~= 'seed' then redis.call('hsetnx', KEYS[2], 'released', '1') end
if nextJson == '' then nextJson = 'null' end
redis.call('publish', ARGV[7], ARGV[8] .. vs .. ',"t":' .. nextJson .. '}')
return {1, v}
`;

// The refresh lock is two keys with the same hash tag: `{key}:lock` holds the owner while the lease
// runs (`PX`: the lease plus the holder's refresh deadline, so a holder that stops renewing is taken
// over only once an answer still on its way could no longer land), and `{key}:lease`, a hash without
// a TTL, remembers the last lease: its owner, until when it runs (Redis time, ms), and whether it was
// released. A lock key that vanished while its lease still runs (evicted, deleted) is thus told apart
// from one that was released or ran out. Every lease and release is announced on the channel, so a
// process that outlives Redis' memory (a restart, FLUSHALL) still knows who may be refreshing.
// Each script is atomic: of several waiters, exactly one replaces a given lease.

const NOW = "local t = redis.call('time') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";

/**
 * Takes the lock. KEYS: lock, lease. ARGV: owner, px, channel, message head (JSON up to `"lease":`).
 * Returns {1, 1 if Redis knew the previous lease} when taken — the record exists from the first
 * write of tokens on (WRITE), so its absence means Redis forgot (restarted, flushed) or nothing was
 * ever stored — or {0, ms it is still blocked for, holder}.
 */
export const ACQUIRE = `
${NOW}
local holder = redis.call('get', KEYS[1])
if holder then return {0, redis.call('pttl', KEYS[1]), holder} end
local last = redis.call('hmget', KEYS[2], 'owner', 'until', 'released')
local untilMs = tonumber(last[2])
if last[1] and last[3] ~= '1' and untilMs and untilMs > now then return {0, untilMs - now, last[1]} end
local knew = redis.call('exists', KEYS[2])
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('hset', KEYS[2], 'owner', ARGV[1], 'until', now + tonumber(ARGV[2]), 'released', '0')
redis.call('publish', ARGV[3], ARGV[4] .. '{"o":"' .. ARGV[1] .. '","ms":' .. ARGV[2] .. '}}')
return {1, knew}
`;

/**
 * Extends the lease if it is still ours; takes the lock back if its key vanished while the lease
 * record is still ours (evicted, deleted) or gone with it (Redis restarted empty). Same ARGV as ACQUIRE.
 */
export const RENEW = `
${NOW}
local holder = redis.call('get', KEYS[1])
local recorded = redis.call('hget', KEYS[2], 'owner')
if holder ~= ARGV[1] and (holder or (recorded and recorded ~= ARGV[1])) then return 0 end
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('hset', KEYS[2], 'owner', ARGV[1], 'until', now + tonumber(ARGV[2]), 'released', '0')
redis.call('publish', ARGV[3], ARGV[4] .. '{"o":"' .. ARGV[1] .. '","ms":' .. ARGV[2] .. '}}')
return 1
`;

/**
 * Releases the lock if it is still ours (an expired lease may be someone else's now) and records
 * the release; says so on the channel in any case, so no process keeps waiting for a lease that ended.
 * KEYS: lock, lease. ARGV: owner, channel, message.
 */
export const RELEASE = `
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end
if redis.call('hget', KEYS[2], 'owner') == ARGV[1] then redis.call('hset', KEYS[2], 'released', '1') end
redis.call('publish', ARGV[2], ARGV[3])
return 1
`;

/**
 * One send from a rate budget shared by every process on the store (docs/scaling.md, "One rate
 * budget"). KEYS: the sends (a sorted set: one member per send, scored by Redis time in ms), the
 * sharers (a sorted set: one member per store object, scored by its last ask). ARGV: limit, window
 * (whole ms), this send's member (unique per store object and send), this store object's id.
 *
 * Redis' clock, never the caller's: processes' clocks differ, and one skewed clock would prune the
 * others' sends early. Entries older than the window are pruned first; the send is recorded only
 * when fewer than `limit` remain. Both keys expire a window after the last ask, so an idle budget
 * leaves nothing behind. Returns { 0 if recorded, else ms until enough sends leave the window;
 * store objects that asked in the last window, this one included }.
 */
export const TAKE_BUDGET = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
${NOW}
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('zremrangebyscore', KEYS[1], '-inf', now - window)
redis.call('zremrangebyscore', KEYS[2], '-inf', now - window)
redis.call('zadd', KEYS[2], now, ARGV[4])
redis.call('pexpire', KEYS[2], window)
local sharers = redis.call('zcard', KEYS[2])
local count = redis.call('zcard', KEYS[1])
if count < limit then
  redis.call('zadd', KEYS[1], now, ARGV[3])
  redis.call('pexpire', KEYS[1], window)
  return {0, sharers}
end
local leaving = redis.call('zrange', KEYS[1], count - limit, count - limit, 'WITHSCORES')
return {math.max(1, tonumber(leaving[2]) + window - now), sharers}
`;

/**
 * The answer of a send granted by TAKE_BUDGET came back: the send counts from now (Redis time)
 * until a window later, no longer from its grant — as the in-process budget counts it
 * (docs/rate-limits.md, "pacing"): the server counted it on arrival, between the two, so a send
 * slow to arrive never shares a server window with sends granted a window after it. KEYS: the
 * sends. ARGV: the send's member, the window (whole ms). A send already pruned is not added back.
 */
export const ANSWERED = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
${NOW}
if redis.call('zadd', KEYS[1], 'XX', 'CH', now, ARGV[1]) == 1 then redis.call('pexpire', KEYS[1], ARGV[2]) end
return 1
`;
