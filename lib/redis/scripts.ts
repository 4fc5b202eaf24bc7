// Lua scripts: each runs atomically in Redis, so no other process's command falls between the
// read and the write. They touch one key each (Redis Cluster safe).

/**
 * Writes the tokens key and publishes the change, in one step (docs/scaling.md "Versions").
 * KEYS[1] token key. ARGV: mode ('set' | 'cas' | 'seed'), expected accessToken ('' = expect empty),
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
if nextJson == '' then nextJson = 'null' end
redis.call('publish', ARGV[7], ARGV[8] .. vs .. ',"t":' .. nextJson .. '}')
return {1, v}
`;

/** Releases the lock only if we still own it (an expired lease may be someone else's now), and says so on the channel. */
export const RELEASE = `
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('del', KEYS[1])
  redis.call('publish', ARGV[2], ARGV[3])
  return 1
end
return 0
`;

/** Extends the lease only if we still own it. */
export const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
