import PQueue from 'p-queue';
import { CANCELED } from './cancel';

// The gate requests pass before they are sent (behaviour 4): open, they pass at once; while a
// refresh (or a rate-limit pause) holds it, they wait in a p-queue and are released together.

export interface Gate {
  /** True while something holds the gate. */
  readonly held: boolean;
  /** Holds the gate until `until` settles. Holds nest. */
  hold(until: Promise<unknown>): void;
  /** Waits until the gate is open; rejects with CANCELED if `signal` aborts first. */
  pass(signal?: AbortSignal): Promise<void>;
}

const noop = () => {};

export function createGate(): Gate {
  const queue = new PQueue({ concurrency: Number.POSITIVE_INFINITY });
  let holds = 0;

  function release(): void {
    holds--;
    if (holds === 0) queue.start();
  }

  return {
    get held() {
      return holds > 0;
    },
    hold(until) {
      holds++;
      queue.pause();
      until.then(release, release);
    },
    async pass(signal) {
      if (holds === 0) return;
      if (signal?.aborted) throw CANCELED;
      try {
        await queue.add(noop, { signal });
      } catch (error) {
        if (signal?.aborted) throw CANCELED;
        throw error;
      }
    },
  };
}
