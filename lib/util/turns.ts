// Turns of the event loop (docs/how-it-works.md, "herds"): at most PER_TURN requests leave through
// the plugin in one turn and are still unanswered; the others wait for a later turn. A herd — the
// first burst of a page or a job, the requests held for a refresh, the replays one refresh releases
// — then never holds the event loop for longer than a slice, where bare axios sends all of it in one
// turn (docs/benchmarks.md, event-loop stall). The slice is small on purpose: one slice is on the
// wire while the next is prepared, so the server works while the client still sends; and in a herd
// on a dead token the first answers are read after a few slices, so the refresh starts and the rest
// of the herd leaves once, with the new token, instead of twice. A request answered in the turn it
// left in (an in-memory adapter, a cache) gives its place back: callers one at a time never wait.
//
// The next turn: `setImmediate` where there is one (Node: after the poll phase, so I/O runs between
// slices); else a MessageChannel message (browsers: a task of its own, not clamped like a nested
// setTimeout). Fake timers (jest, sinon) must never hang the 17th request of a user's test: a faked
// `setImmediate` is recognised and the MessageChannel used instead, which fake timers leave alone
// (Node delivers a message posted from a message handler in the same turn: no slicing, no hang);
// with neither a real `setImmediate`, a MessageChannel nor a real `setTimeout`, nothing is sliced.

/** How many requests may leave in one turn: small enough that a herd's first answers come back while most of it has not left (docs/how-it-works.md, "herds"). */
export const PER_TURN = 16;

interface Port {
  onmessage: (() => void) | null;
  postMessage(message: unknown): void;
  ref?(): void;
  unref?(): void;
}

let used = 0;
/** Which turn this is: a request's place counts only in the turn it was taken in. */
let turn = 0;
let due = false;
let channel: { port1: Port; port2: Port } | undefined;
let nextTurn: Promise<void> | undefined;
let startNextTurn: (() => void) | undefined;

function newTurn(): void {
  due = false;
  channel?.port1.unref?.();
  used = 0;
  turn++;
  const start = startNextTurn;
  nextTurn = startNextTurn = undefined;
  start?.();
}

type Timer = ((fn: () => void, ms?: number) => unknown) & { clock?: unknown; _isMockFunction?: unknown };

/** A timer function that fake timers (sinon's `clock`, jest's legacy mocks) have not replaced. */
const real = (fn: Timer | undefined) => (typeof fn === 'function' && !fn.clock && !fn._isMockFunction ? fn : undefined);

/** Asks for a new turn; false when there is no way to get one that fake timers leave alone (then no slicing). */
function scheduleNewTurn(): boolean {
  if (due) return true;
  const g = globalThis as { setImmediate?: Timer; setTimeout?: Timer; MessageChannel?: new () => { port1: Port; port2: Port } };
  const immediate = real(g.setImmediate);
  if (immediate) immediate(newTurn);
  else if (g.MessageChannel) {
    if (!channel) {
      channel = new g.MessageChannel();
      channel.port1.onmessage = newTurn;
    }
    channel.port1.ref?.();
    channel.port2.postMessage(0);
  } else {
    const timeout = real(g.setTimeout);
    if (!timeout) return false;
    timeout(newTurn, 0);
  }
  return (due = true);
}

/** Takes a place for a request leaving now: the turn's number, or `undefined` when this turn's share is spent (then wait with {@link aTurn}). */
export function mayGoNow(): number | undefined {
  if (used === 0 && !scheduleNewTurn()) return turn; // no turn to wait for: everyone goes now
  if (used >= PER_TURN) return undefined;
  used++;
  return turn;
}

/** Resolves, with the turn's number, in a turn where this request may leave (at once when the share is not spent). */
export async function aTurn(): Promise<number> {
  for (;;) {
    const now = mayGoNow();
    if (now !== undefined) return now;
    await (nextTurn ??= new Promise<void>((resolve) => (startNextTurn = resolve)));
  }
}

/** The number of the turn running now (a request that waited for {@link aTurn} got a later one). */
export const thisTurn = () => turn;

/** The request that took a place in turn `taken` was answered: in that same turn, the place is free again. */
export function answered(taken: number | undefined): void {
  if (taken === turn && used > 0) used--;
}
