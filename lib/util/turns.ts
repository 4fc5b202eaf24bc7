// Turns of the event loop (docs/how-it-works.md, "herds"): at most PER_TURN requests leave through
// the plugin in one turn and are still unanswered; the others wait for a later turn. A herd of
// thousands — the first burst of a page or a job, the requests held for a refresh, the replays one
// refresh releases — then never holds the event loop for longer than a slice, where bare axios sends
// all of them in one turn (docs/benchmarks.md, event-loop stall). A request answered in the turn it
// left in (an in-memory adapter, a cache) gives its place back: callers one or fifty at a time never wait.
//
// The next turn: `setImmediate` where there is one (Node: after the poll phase, so I/O runs between
// slices); else a MessageChannel message (browsers: a task of its own, not clamped like a nested
// setTimeout). Fake timers (jest, sinon) must never hang the 129th request of a user's test: a faked
// `setImmediate` is recognised and the MessageChannel used instead, which fake timers leave alone
// (Node delivers a message posted from a message handler in the same turn: no slicing, no hang).

/** How many requests may leave in one turn: enough that one-at-a-time and 50-at-a-time callers never wait. */
export const PER_TURN = 128;

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

type Immediate = ((fn: () => void) => unknown) & { clock?: unknown; _isMockFunction?: unknown };

function scheduleNewTurn(): void {
  if (due) return;
  due = true;
  const immediate = (globalThis as { setImmediate?: Immediate }).setImmediate;
  if (typeof immediate === 'function' && !immediate.clock && !immediate._isMockFunction) {
    immediate(newTurn);
    return;
  }
  const Channel = (globalThis as { MessageChannel?: new () => { port1: Port; port2: Port } }).MessageChannel;
  if (!Channel) {
    setTimeout(newTurn, 0);
    return;
  }
  if (!channel) {
    channel = new Channel();
    channel.port1.onmessage = newTurn;
  }
  channel.port1.ref?.();
  channel.port2.postMessage(0);
}

/** Takes a place for a request leaving now: the turn's number, or `undefined` when this turn's share is spent (then wait with {@link aTurn}). */
export function mayGoNow(): number | undefined {
  if (used === 0) scheduleNewTurn();
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

/** The request that took a place in turn `taken` was answered: in that same turn, the place is free again. */
export function answered(taken: number | undefined): void {
  if (taken === turn && used > 0) used--;
}
