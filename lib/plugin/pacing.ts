import PQueue from 'p-queue';
import { CANCELED } from '../util/cancel';
import type { RateLimitOptions } from '../types';

// Client-side pacing (`rateLimit`): each request takes a slot of a p-queue before it is sent and
// gives it back when its answer has been settled (replays included), so `concurrency` bounds the
// requests in flight and `intervalCap`/`interval` bound how many start per window.

export interface Pacer {
  /** Waits for a slot; resolves to the function that gives it back (safe to call twice). */
  acquire(signal?: AbortSignal): Promise<() => void>;
}

export function createPacer(options: RateLimitOptions): Pacer {
  const queue = new PQueue({
    concurrency: options.concurrency || Number.POSITIVE_INFINITY,
    intervalCap: options.intervalCap || Number.POSITIVE_INFINITY,
    interval: options.interval ?? 0,
  });
  return {
    acquire(signal) {
      return new Promise((resolve, reject) => {
        let release!: () => void;
        const held = new Promise<void>((done) => (release = done));
        queue
          .add(
            () => {
              let released = false;
              resolve(() => {
                if (!released) {
                  released = true;
                  release();
                }
              });
              return held;
            },
            { signal },
          )
          .catch(() => reject(signal?.aborted ? CANCELED : new Error('pacing queue failed')));
      });
    },
  };
}
