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
  /** Kept outside the process (`TokenStore.takeBudget`): `take` answers later, and every call may record a send. */
  readonly shared: boolean;
  /** Takes one send and returns its ticket, or returns how long to wait before asking again (`Infinity`: until an answer). */
  take(): Ticket | number | Promise<Ticket | number>;
  /** The server said `remaining` sends are left until `resetAt` (epoch ms): no more than that leave before then. */
  learn(remaining: number, resetAt: number): void;
  /** Roughly how long, from now, until the send after `ahead` others may leave (ms; for announcing long waits). */
  eta(ahead: number): number;
  /** Calls `listener` when an answer frees room; returns the function that stops it. */
  onAnswer(listener: () => void): () => void;
}

/** An in-process budget, which can also count a send let out by someone else (a shared budget's grant). */
interface LocalBudget extends Budget {
  take(): Ticket | number;
  /** Counts a send that leaves now, room or not, and returns its ticket. */
  record(): Ticket;
}

/**
 * The in-process budget of one token store (the default; a store may share one across processes:
 * `TokenStore.takeBudget`). `limit` may be a function: read at each question (a changing share).
 */
export function createBudget(limit: number | (() => number), windowMs: number): LocalBudget {
  const cap = typeof limit === 'number' ? () => limit : limit;
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
    const excess = inFlight + ends.length - cap() + 1;
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

  const record = () => {
    inFlight++;
    serverLeft--;
    return ticket();
  };

  return {
    shared: false,
    take() {
      const now = Date.now();
      prune(now);
      const wait = Math.max(ownWait(now), serverLeft > 0 ? 0 : serverUntil - now);
      if (wait > 0) return wait;
      return record();
    },
    record,
    learn(remaining, resetAt) {
      // Sends still in flight may be counted after the answer that said it (this one is answered, not counted here).
      const left = remaining - Math.max(0, inFlight - 1);
      if (resetAt > serverUntil || left < serverLeft) (serverLeft = left), (serverUntil = Math.max(serverUntil, resetAt));
    },
    eta(ahead) {
      const now = Date.now();
      prune(now);
      const limit = cap();
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

/** How long after a failure the store is asked again — in the background, its answer not waited for. */
const STORE_RETRY_MS = 1_000;

/**
 * What one process may send per window while the store that shares the budget fails: its share
 * among the most store objects ever seen sharing it (docs/rate-limits.md, "sharing across
 * processes"). The whole limit only when the store said this one was alone; one when it never said.
 */
function fallbackShare(limit: number, sharers: number): number {
  return sharers >= 1 ? Math.max(1, Math.floor(limit / sharers)) : 1;
}

/** A store's answer, checked: a plain number is a wait without the rest. */
function answerOf(raw: number | RateBudgetAnswer): RateBudgetAnswer {
  if (typeof raw !== 'object' || raw === null) return { waitMs: Number(raw) };
  const answered = typeof raw.answered === 'function' ? raw.answered.bind(raw) : undefined;
  return { waitMs: Number(raw.waitMs), sharers: Number(raw.sharers) || 0, ...(answered && { answered }) };
}

/** Tells the store a send it granted was answered (a custom store's failure there is its own). */
const tell = (answered: (() => void) | undefined) => {
  try {
    answered?.();
  } catch {}
};

/** A send let out while the store failed: when it stops counting (Infinity: in flight), and what to tell the store once it records it. */
interface Unrecorded {
  end: number;
  answered?: (() => void) | undefined;
}

/**
 * A budget kept by the token store, shared by everything that uses it (every process on one Redis
 * key). A store whose grants carry `answered` counts each send until a window after its answer;
 * otherwise it counts from the grant, and the window asked for is widened by the longest time seen
 * from asking to an answer.
 *
 * While the store fails (a call that throws or rejects), sends leave within this process's share
 * (`fallbackShare`), counted in-process with every send it made — the store's grants included — and
 * the store is asked again in the background every `STORE_RETRY_MS`. Once it answers, the sends made
 * without it that still count are recorded there first (as made now: later than they were, so the
 * others count them a little too long, never too short), then sends are asked for again. The
 * background ask records a send too when granted: one of those, or one counted for nothing (never
 * too few).
 */
export function createSharedBudget(takeBudget: TakeBudget, key: string, limit: number, windowMs: number): Budget {
  let sharers = 0;
  /** Every send of this process; its limit is the share it falls back to. */
  const own = createBudget(() => fallbackShare(limit, sharers), windowMs);
  let unrecorded: Unrecorded[] = [];
  /** Added to the window asked for while the store's grants do not carry `answered`. */
  let margin = 0;
  let heldUntil = 0;
  let lastWait = 0;
  /** The store failed: until then, it is not asked before a send (0: it answers). */
  let retryAt = 0;
  let probing = false;
  /** What waits for room: woken by an answer, and when the store answers again (its waits are then the store's). */
  const waiting = new Set<() => void>();

  const ask = async () => {
    const asked = Date.now();
    const answer = answerOf(await takeBudget({ key, limit, windowMs: windowMs + margin }));
    retryAt = 0;
    sharers = Math.max(sharers, answer.sharers ?? 0);
    lastWait = Math.max(answer.waitMs, 0);
    return { ...answer, asked, granted: !(answer.waitMs > 0) };
  };
  /** A grant of the store answers for a send made without it, if one still counts. */
  const recordedOne = (answered: (() => void) | undefined) => {
    const now = Date.now();
    unrecorded = unrecorded.filter((send) => send.end > now);
    const send = unrecorded.shift();
    if (send && send.end === Number.POSITIVE_INFINITY) send.answered = answered; // told when its answer comes
    return send !== undefined;
  };
  const fromShare = (): Ticket | number => {
    const got = own.take();
    if (typeof got === 'number') return got;
    const send: Unrecorded = { end: Number.POSITIVE_INFINITY };
    unrecorded.push(send);
    return { answered: () => (got.answered(), (send.end = Date.now() + windowMs), tell(send.answered)) };
  };
  const probe = () => {
    probing = true;
    ask()
      .then(
        (got) => {
          if (got.granted) recordedOne(got.answered);
          for (const wake of [...waiting]) wake();
        },
        () => (retryAt = Date.now() + STORE_RETRY_MS),
      )
      .finally(() => (probing = false));
  };
  const fromStore = async (): Promise<Ticket | number> => {
    for (;;) {
      let got: Awaited<ReturnType<typeof ask>>;
      try {
        got = await ask();
      } catch {
        retryAt = Date.now() + STORE_RETRY_MS;
        return fromShare();
      }
      if (!got.granted) return got.waitMs;
      if (recordedOne(got.answered)) continue;
      const ticket = own.record();
      return {
        answered() {
          ticket.answered();
          if (got.answered) tell(got.answered);
          else margin = Math.max(margin, Date.now() - got.asked);
        },
      };
    }
  };
  return {
    shared: true,
    take() {
      const now = Date.now();
      if (heldUntil > now) return heldUntil - now;
      if (retryAt === 0) return fromStore();
      if (now >= retryAt && !probing) probe();
      return fromShare();
    },
    learn(remaining, resetAt) {
      if (remaining <= 0) heldUntil = Math.max(heldUntil, resetAt);
      own.learn(remaining, resetAt);
    },
    eta: (ahead) => (retryAt === 0 ? Math.max(heldUntil - Date.now(), lastWait) : own.eta(ahead)),
    onAnswer(listener) {
      waiting.add(listener);
      const stop = own.onAnswer(listener);
      return () => (waiting.delete(listener), stop());
    },
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
