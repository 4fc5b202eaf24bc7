import type { RateLimitOptions } from '../types';
import { CANCELED } from '../util/cancel';

// Client-side pacing (`rateLimit`): a send takes a slot before the transport runs it and gives it
// back when the transport is done (see send.ts, `pacedAdapter`), so `concurrency` bounds the sends
// in flight and `intervalCap`/`interval` bound how many start per window. A small queue of our own
// rather than p-queue: a few dozen lines instead of 4 KB gzipped in every browser bundle
// (docs/benchmarks.md, sizes); its only timer runs while a send waits for the next window.

export interface Pacer {
  /** Waits for a slot; resolves to the function that gives it back (safe to call twice). Rejects with CANCELED. */
  acquire(signal?: AbortSignal): Promise<() => void>;
}

export function createPacer(options: RateLimitOptions): Pacer {
  const concurrency = options.concurrency || Number.POSITIVE_INFINITY;
  const cap = options.intervalCap || Number.POSITIVE_INFINITY;
  const interval = options.interval ?? 0;
  const waiting: Array<() => void> = [];
  let active = 0;
  let windowStart = 0;
  let startedInWindow = 0;
  // biome-ignore lint/correctness/noUnusedVariables: read by `??=` below (one wake-up timer at a time)
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Whether the current window has room; if not, wakes up when the next one opens. */
  function windowHasRoom(): boolean {
    if (interval <= 0 || cap === Number.POSITIVE_INFINITY) return true;
    const now = Date.now();
    if (now - windowStart >= interval) {
      windowStart = now;
      startedInWindow = 0;
    }
    if (startedInWindow < cap) return true;
    timer ??= setTimeout(
      () => {
        timer = undefined;
        drain();
      },
      windowStart + interval - now,
    );
    return false;
  }

  function drain(): void {
    while (waiting.length > 0 && active < concurrency && windowHasRoom()) {
      active++;
      startedInWindow++;
      waiting.shift()!();
    }
  }

  return {
    acquire(signal) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(CANCELED);
        const start = () => {
          signal?.removeEventListener('abort', onAbort);
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            active--;
            drain();
          });
        };
        const onAbort = () => {
          const at = waiting.indexOf(start);
          if (at !== -1) waiting.splice(at, 1);
          reject(CANCELED);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(start);
        drain();
      });
    },
  };
}
