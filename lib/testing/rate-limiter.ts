// Fixed-window counters per key, as the NextSchool docs describe their limits (N per 60 s).

export interface WindowVerdict {
  allowed: boolean;
  remaining: number;
  /** Epoch ms when the window resets. */
  resetAt: number;
  /** Whole seconds until the reset (≥ 1), for `Retry-After` / `retryAfter`. */
  retryAfter: number;
}

export function createRateLimiter(limit: number, windowMs: number) {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return {
    hit(key: string, now = Date.now()): WindowVerdict {
      let entry = windows.get(key);
      if (!entry || now >= entry.resetAt) {
        entry = { count: 0, resetAt: now + windowMs };
        windows.set(key, entry);
      }
      entry.count++;
      const allowed = entry.count <= limit;
      return {
        allowed,
        remaining: Math.max(0, limit - entry.count),
        resetAt: entry.resetAt,
        retryAfter: Math.max(1, Math.ceil((entry.resetAt - now) / 1000)),
      };
    },
  };
}
