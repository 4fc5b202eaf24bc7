import PQueue from 'p-queue';
import { raceCancel } from './cancel';

// The gate requests pass before they are sent (behaviour 4): open, they pass at once; while a
// refresh (or a rate-limit pause) holds it, they wait and are released together.
//
// The gate is a paused p-queue holding one task per hold episode; the task runs when the last hold
// ends, and every waiting request awaits that one task. Waiters cost one promise reaction each (plus
// an abort listener if they carry a signal), not a queue entry each: 10,000 requests waiting behind
// a slow refresh stay cheap (docs/benchmarks.md, memory).

export interface Gate {
  /** True while something holds the gate. */
  readonly held: boolean;
  /** Holds the gate until `until` settles. Holds nest. */
  hold(until: Promise<unknown>): void;
  /** Resolves when the gate is open; rejects with CANCELED if `signal` aborts first. */
  pass(signal?: AbortSignal): Promise<void> | undefined;
}

const noop = () => {};

export function createGate(): Gate {
  const queue = new PQueue({ concurrency: Number.POSITIVE_INFINITY });
  let holds = 0;
  let opened: Promise<void> | undefined;

  function release(): void {
    holds--;
    if (holds === 0) {
      opened = undefined;
      queue.start();
    }
  }

  return {
    get held() {
      return holds > 0;
    },
    hold(until) {
      if (holds++ === 0) {
        queue.pause();
        opened = queue.add(noop);
      }
      until.then(release, release);
    },
    pass(signal) {
      if (!opened) return undefined;
      return signal ? raceCancel(opened, signal) : opened;
    },
  };
}
