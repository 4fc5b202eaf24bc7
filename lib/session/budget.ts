import type { RateBudgetAnswer, RateBudgetRequest } from '../types';

// A send budget: at most `limit` sends in any `windowMs` (docs/rate-limits.md, "pacing"). A send
// counts from the moment it leaves until `windowMs` after its answer: the server counted it on
// arrival, between the two, so whatever each request's latency and whatever the phase of the
// server's own windows (fixed or sliding), no `windowMs` of the server's clock ever holds more than
// `limit` of them. Counting from the send alone (p-queue's `strict` window) is off by the latency:
// a slow first request and a fast next one arrive closer than `windowMs` apart.
//
// What the server says narrows it further: `X-RateLimit-Remaining` / `-Reset` on any answer,
// `Retry-After` or `retryAfter` on a decline (`learn`).

/** One send taken from the budget. */
export interface Ticket {
  /** The answer (or a failure) came back: the send stops counting `windowMs` from now. */
  answered(): void;
}

export interface Budget {
  /** Takes one send and returns its ticket, or returns how long to wait before asking again (`Infinity`: until an answer). */
  take(): Ticket | number | Promise<Ticket | number>;
  /** The server said `remaining` sends are left until `resetAt` (epoch ms): no more than that leave before then. */
  learn(remaining: number, resetAt: number): void;
  /** Roughly how long, from now, until the send after `ahead` others may leave (ms; for announcing long waits). */
  eta(ahead: number): number;
  /** Calls `listener` when an answer frees room; returns the function that stops it. */
  onAnswer(listener: () => void): () => void;
}

/** The in-process budget of one token store (the default; a store may share one across processes: `TokenStore.takeBudget`). */
export function createBudget(limit: number, windowMs: number): Budget {
  /** When each answered send stops counting (epoch ms), oldest first. */
  const ends: number[] = [];
  let inFlight = 0;
  /** What the server said: this many more may leave before `serverUntil`. */
  let serverLeft = Number.POSITIVE_INFINITY;
  let serverUntil = 0;
  const listeners = new Set<() => void>();

  const prune = (now: number) => {
    let expired = 0;
    while (expired < ends.length && ends[expired]! <= now) expired++;
    if (expired) ends.splice(0, expired);
    if (now >= serverUntil) serverLeft = Number.POSITIVE_INFINITY;
  };

  /** ms until one more may leave by our own count: 0, the moment enough answered sends age out, or Infinity (in flight). */
  const ownWait = (now: number) => {
    const excess = inFlight + ends.length - limit + 1;
    if (excess <= 0) return 0;
    return excess <= ends.length ? ends[excess - 1]! - now : Number.POSITIVE_INFINITY;
  };

  const ticket = (): Ticket => {
    let done = false;
    return {
      answered() {
        if (done) return;
        done = true;
        inFlight--;
        const end = Date.now() + windowMs;
        let at = ends.length;
        while (at > 0 && ends[at - 1]! > end) at--;
        ends.splice(at, 0, end);
        for (const listener of [...listeners]) listener();
      },
    };
  };

  return {
    take() {
      const now = Date.now();
      prune(now);
      const wait = Math.max(ownWait(now), serverLeft > 0 ? 0 : serverUntil - now);
      if (wait > 0) return wait;
      inFlight++;
      serverLeft--;
      return ticket();
    },
    learn(remaining, resetAt) {
      // Sends still in flight may be counted after the answer that said it (this one is answered, not counted here).
      const left = remaining - Math.max(0, inFlight - 1);
      if (resetAt > serverUntil || left < serverLeft) (serverLeft = left), (serverUntil = Math.max(serverUntil, resetAt));
    },
    eta(ahead) {
      const now = Date.now();
      prune(now);
      const room = limit - inFlight - ends.length;
      const held = serverLeft > ahead ? 0 : serverUntil - now;
      if (ahead < room) return held;
      // The k-th send beyond the room leaves when the k-th oldest send ages out, a window later per round.
      // Every place frees a window after its last send: those answered first, then those in flight or about to leave.
      const k = ahead - Math.max(0, room);
      const free = k % limit < ends.length ? ends[k % limit]! : now + windowMs;
      return Math.max(held, free + Math.floor(k / limit) * windowMs - now);
    },
    onAnswer(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** What a store's shared budget is asked (`TokenStore.takeBudget`). */
type TakeBudget = (request: RateBudgetRequest) => number | RateBudgetAnswer | Promise<number | RateBudgetAnswer>;

/** The wait a store answered: a number of ms, or `waitMs` of a {@link RateBudgetAnswer}. */
const waitOf = (raw: number | RateBudgetAnswer): number => Number(typeof raw === 'object' && raw !== null ? raw.waitMs : raw);

/**
 * A budget kept by the token store, shared by everything that uses it (every process on one Redis
 * key). The store records when it granted a send, not when the server counted it: the window asked
 * for is widened by the longest round trip seen. A store that fails to answer hands over to the
 * in-process budget (`fallback`) for that send.
 */
export function createSharedBudget(takeBudget: TakeBudget, key: string, limit: number, windowMs: number, fallback: Budget): Budget {
  let margin = 0;
  let heldUntil = 0;
  let lastWait = 0;
  const ask = async (): Promise<Ticket | number> => {
    let wait: number;
    try {
      wait = waitOf(await takeBudget({ key, limit, windowMs: windowMs + margin }));
    } catch {
      return fallback.take();
    }
    lastWait = Math.max(wait, 0);
    if (wait > 0) return wait;
    const sent = Date.now();
    return { answered: () => void (margin = Math.max(margin, Date.now() - sent)) };
  };
  return {
    take() {
      const now = Date.now();
      return heldUntil > now ? heldUntil - now : ask();
    },
    learn(remaining, resetAt) {
      if (remaining <= 0) heldUntil = Math.max(heldUntil, resetAt);
    },
    eta: () => Math.max(heldUntil - Date.now(), lastWait),
    onAnswer: () => () => {},
  };
}

/** Takes a ticket from `budget`, waiting for room as long as it takes; `onWait(ms)` hears the first wait. */
export async function takeWhenRoom(budget: Budget, onWait: (ms: number) => void): Promise<Ticket> {
  for (let told = false; ; told = true) {
    const got = await budget.take();
    if (typeof got !== 'number') return got;
    if (!told) onWait(got);
    await new Promise<void>((resolve) => {
      const go = () => (clearTimeout(timer), stop(), resolve());
      const stop = budget.onAnswer(go);
      const timer = got === Number.POSITIVE_INFINITY ? undefined : setTimeout(go, got);
    });
  }
}
