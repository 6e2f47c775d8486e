import { LuaScript } from '@shop/redis';

/*
 * Every write of the store is one of these scripts, so a session hash, its tombstone and its user's
 * index never disagree. Time is Redis `TIME` (milliseconds), never a host clock, so two gateways with
 * skewed clocks compute the same expiry. Keys a script names from ARGV (a user's index, a session of the
 * index) carry the same hash tag as its KEYS (the store checks that the id's tag is the user's tag), so
 * every script runs on one Cluster slot.
 *
 * Session hash fields: d = the session JSON, c = created, s = last extended, a = absolute deadline (ms),
 * u = user id ('' when anonymous), ua / ip = client of the last login.
 */

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

// The index is scored by expiry: pruning is a range delete and its own TTL is its highest score.
const INDEX = `
local function index(idx, sid, exp, now)
  redis.call('ZADD', idx, exp, sid)
  redis.call('ZREMRANGEBYSCORE', idx, '-inf', now)
  local last = redis.call('ZRANGE', idx, -1, -1, 'WITHSCORES')
  if last[2] then redis.call('PEXPIREAT', idx, last[2]) end
end
`;

// Writes one session unless its id is tombstoned. Returns the new expiry, -2 (tombstoned) or
// -1 (past its absolute deadline, or gone). `fresh` restarts the absolute lifetime (a new login);
// without `create` a session bound to a user is only updated, never created: once it expired (idle or
// absolute) the late save of a request still in flight cannot start it again with a new lifetime.
const WRITE = `
local function write(skey, tkey, idx, sid, data, uid, ua, ip, idle, abs, idxPrefix, now, fresh, create)
  if redis.call('EXISTS', tkey) == 1 then return -2 end
  local cur = redis.call('HMGET', skey, 'c', 'a', 'u')
  if not cur[1] and uid ~= '' and not create then return -1 end
  local created = now
  local absolute = now + abs
  if cur[1] and not fresh then
    created = tonumber(cur[1])
    absolute = tonumber(cur[2])
  end
  local old = cur[3]
  if old and old ~= '' and old ~= uid then redis.call('ZREM', idxPrefix .. old, sid) end
  local exp = math.min(now + idle, absolute)
  if exp <= now then
    redis.call('DEL', skey)
    if uid ~= '' then redis.call('ZREM', idx, sid) end
    return -1
  end
  redis.call('HSET', skey, 'd', data, 'c', created, 's', now, 'a', absolute, 'u', uid, 'ua', ua, 'ip', ip)
  redis.call('PEXPIREAT', skey, exp)
  if uid ~= '' then index(idx, sid, exp, now) end
  return exp
end
`;

const DESTROY = `
local function destroy(skey, tkey, sid, tombMs, idxPrefix)
  local uid = redis.call('HGET', skey, 'u')
  redis.call('DEL', skey)
  redis.call('SET', tkey, '1', 'PX', tombMs)
  if uid and uid ~= '' then redis.call('ZREM', idxPrefix .. uid, sid) end
end
`;

/** KEYS: session, tombstone, index (the session's own key when anonymous). ARGV: sid, data, uid, ua, ip, idleMs, absMs, indexPrefix, create ('1' or ''). Returns {expiry | -1 | -2, now}. */
export const setScript = new LuaScript<[number, number]>(
  'sessions-set',
  `${NOW}${INDEX}${WRITE}
local r = write(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5],
  tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8], now, false, ARGV[9] == '1')
return {r, now}`,
);

/**
 * KEYS: session. ARGV: sid, idleMs, throttleMs, indexPrefix. Extends the idle expiry (capped by the
 * absolute deadline) only once `throttleMs` passed since the last extension; never creates a session, so
 * a touch after a destroy or an expiry is a no-op. Returns {expiry | 0 (throttled) | -1 (gone), now, last extended}.
 */
export const touchScript = new LuaScript<[number, number, number]>(
  'sessions-touch',
  `${NOW}${INDEX}
local cur = redis.call('HMGET', KEYS[1], 's', 'a', 'u')
if not cur[1] then return {-1, now, 0} end
local seen = tonumber(cur[1])
if now - seen < tonumber(ARGV[3]) then return {0, now, seen} end
local exp = math.min(now + tonumber(ARGV[2]), tonumber(cur[2]))
redis.call('HSET', KEYS[1], 's', now)
redis.call('PEXPIREAT', KEYS[1], exp)
if cur[3] and cur[3] ~= '' then index(ARGV[4] .. cur[3], ARGV[1], exp, now) end
return {exp, now, now}`,
);

/** KEYS: session, tombstone. ARGV: sid, tombstoneMs, indexPrefix. Deletes, tombstones, unindexes. */
export const destroyScript = new LuaScript<number>(
  'sessions-destroy',
  `${DESTROY}
destroy(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])
return 1`,
);

/**
 * Regenerate: the old id is destroyed (tombstoned) and the new one written in one script, so there is no
 * moment where both or neither are valid. KEYS: old session, old tombstone, new session, new tombstone,
 * new index. ARGV: oldSid, newSid, data, uid, ua, ip, idleMs, absMs, tombstoneMs, old index prefix,
 * new index prefix. Returns {expiry | -1 | -2, now}.
 */
export const rotateScript = new LuaScript<[number, number]>(
  'sessions-rotate',
  `${NOW}${INDEX}${WRITE}${DESTROY}
destroy(KEYS[1], KEYS[2], ARGV[1], ARGV[9], ARGV[10])
local r = write(KEYS[3], KEYS[4], KEYS[5], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6],
  tonumber(ARGV[7]), tonumber(ARGV[8]), ARGV[11], now, true, true)
return {r, now}`,
);

/** KEYS: session, tombstone, index. ARGV: sid, tombstoneMs, userId. Destroys only the user's own session. */
export const revokeScript = new LuaScript<number>(
  'sessions-revoke',
  `redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('HGET', KEYS[1], 'u') ~= ARGV[3] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return 1`,
);

/**
 * KEYS: index. ARGV: session key prefix, tombstone key prefix, tombstoneMs, sid to keep ('' for none),
 * userId, batch size. Walks the index (never SCAN): up to a batch of other sessions is deleted and
 * tombstoned per call, so a user with 10,000 sessions never blocks Redis in one long script.
 * Returns {revoked, entries removed from the index}.
 */
export const revokeAllScript = new LuaScript<[number, number]>(
  'sessions-revoke-all',
  `local n, removed = 0, 0
for _, sid in ipairs(redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[6]))) do
  if sid ~= ARGV[4] then
    local skey = ARGV[1] .. sid
    if redis.call('HGET', skey, 'u') == ARGV[5] then
      redis.call('DEL', skey)
      n = n + 1
    end
    redis.call('SET', ARGV[2] .. sid, '1', 'PX', ARGV[3])
    redis.call('ZREM', KEYS[1], sid)
    removed = removed + 1
  end
end
return {n, removed}`,
);

/**
 * KEYS: index. ARGV: session key prefix, limit. Prunes expired entries, then returns
 * {total, now, sid, created, lastSeen, expires, absolute, userAgent, ip, ...} for the newest `limit` sessions
 * (by expiry): one call whatever the index size.
 */
export const listScript = new LuaScript<Array<string | number>>(
  'sessions-list',
  `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local out = {0, now}
for _, sid in ipairs(redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1, 'WITHSCORES')) do
  out[#out + 1] = sid
end
local rows = {0, now}
for i = 3, #out, 2 do
  local sid = out[i]
  local h = redis.call('HMGET', ARGV[1] .. sid, 'c', 's', 'a', 'ua', 'ip')
  if h[1] then
    for _, v in ipairs({sid, h[1], h[2], out[i + 1], h[3], h[4], h[5]}) do rows[#rows + 1] = v end
  else
    redis.call('ZREM', KEYS[1], sid)
  end
end
rows[1] = redis.call('ZCARD', KEYS[1])
return rows`,
);
