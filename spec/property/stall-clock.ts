// How long the process could not run JavaScript during a run: descheduled by the OS on a loaded
// machine, a GC pause, a long synchronous stretch. Meanwhile no timer fires — not the plugin's, not
// axios', not the runner's — and a timer armed right after such a stall is due that much later than
// one armed right before it: a request's timeout marker, armed when the caller sends, can run out
// before the timer of the plugin or of axios' adapter for that same request was even armed (axios
// starts its `timeout` when the adapter is called, a few microtasks later). Measured by a 1 ms
// heartbeat: a gap between two beats longer than a beat and a slack is time the process stood still.

const BEAT_MS = 1;
const SLACK_MS = 1;

export interface StallClock {
  /** Milliseconds the process stood still since the clock started (a stall in progress included). */
  stalledMs(): number;
  stop(): void;
}

export function startStallClock(): StallClock {
  let last = performance.now();
  let stalled = 0;
  const over = (gap: number) => (gap > BEAT_MS + SLACK_MS ? gap - BEAT_MS : 0);
  const beat = setInterval(() => {
    const now = performance.now();
    stalled += over(now - last);
    last = now;
  }, BEAT_MS);
  (beat as { unref?: () => void }).unref?.();
  return {
    stalledMs: () => stalled + over(performance.now() - last),
    stop: () => clearInterval(beat),
  };
}
