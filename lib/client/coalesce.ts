import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import { createPrivateClient, type PrivateClient } from '../transport/private-client';
import { type Cancellation, cancellationOf } from '../util/cancel';
import { isAxiosError, redactAxiosError } from '../util/redact';
import { copySettled, type Settled } from './copy';
import { createInFlightTable, type Entry } from './in-flight-table';
import type { KeyedCall } from './request-key';

// Identical queries in flight share one request (docs/graphql-client.md#coalescing). The request
// goes through the instance once — its interceptors, the plugin's pacing, refresh and replay — with
// a signal of its own, so that no caller giving up cancels it for the others; it is cancelled only
// when every caller has given up. Each caller settles exactly once: with its own copy of the
// answer, at once with axios' CanceledError when it gives up, or with a timeout of its own.

/** One caller waiting for a shared request (every field set when made: no closure of its own unless it can give up). */
interface Waiter {
  /** What the caller asked for (its own headers, for the error axios would give it). */
  config: AxiosRequestConfig;
  /** The caller's own `signal` and `cancelToken`. */
  caller: AxiosRequestConfig;
  /** When the caller's own timeout runs out (epoch ms), if it has one. */
  deadline: number | undefined;
  /** Armed only when the caller waits for a request sent after its call (see `land`). */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The caller's signal or cancel token, as one signal. */
  cancel: Cancellation;
  /** Listens to `cancel.signal` (only when there is one). */
  onAbort: (() => void) | undefined;
  flight: Flight | undefined;
  done: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Settles the caller's promise; only the first call counts. */
function finish(waiter: Waiter, settled: Settled): void {
  if (waiter.done) return;
  waiter.done = true;
  clearTimeout(waiter.timer);
  if (waiter.onAbort) waiter.cancel.signal?.removeEventListener('abort', waiter.onAbort);
  waiter.cancel.dispose();
  if (settled.failed) waiter.reject(settled.error);
  else waiter.resolve(settled.value);
}

/** One request in flight and the callers waiting for it. */
interface Flight extends Entry {
  config: AxiosRequestConfig;
  /** Made only when the caller it was sent for can give up (a signal, a cancel token, a deadline of its own): otherwise that caller waits for it to the end. */
  controller?: AbortController;
  /** The callers waiting for it, the leader first (an array: a `Set` per call in flight cost 0.2 KB). */
  waiters: Waiter[];
  /** The caller it was sent for; every other caller that gets its answer was spared a request. */
  leader: Waiter;
}

/** The in-flight table of one GraphQL client. */
export interface Coalescer {
  /** Joins the identical request in flight, or sends `call.config` for it; resolves or rejects with this caller's own copy. */
  send(call: KeyedCall, caller: AxiosRequestConfig): Promise<unknown>;
  /** Closes every request in flight to new callers (those waiting keep waiting): a write was sent or answered. */
  forget(): void;
  /** Calls answered by a request sent for another call. */
  readonly coalesced: number;
}

/** What axios is asked only for the error it makes (its CanceledError): never sent anywhere. */
const notSent = () => Promise.reject(new Error('axios-graphql-refresh: a request made for its error only was not sent'));

/** Axios' timeout error (`ECONNABORTED`, or `ETIMEDOUT` with `clarifyTimeoutError`): no answer came in time. */
const isTimeout = (error: unknown) =>
  isAxiosError(error) && !error.response && (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT');

/** A copy for one more caller; should copying ever fail, the caller shares the original rather than never settling. */
function copyOrShare(settled: Settled): Settled {
  try {
    return copySettled(settled);
  } catch {
    return settled;
  }
}

/**
 * Makes axios' own CanceledError for a caller that gave up (its `Cancel` reason for a cancel
 * token), as axios gives it for a request cancelled before it is sent: through an interceptor-free
 * client made from the instance, with an adapter that never sends.
 */
function canceledErrors(instance: AxiosInstance): (waiter: Waiter) => Promise<unknown> {
  let privateClient: PrivateClient | undefined;
  const fallback = () => Object.assign(new Error('canceled'), { name: 'CanceledError', code: 'ERR_CANCELED', __CANCEL__: true });
  return (waiter) => {
    try {
      privateClient ??= createPrivateClient(instance);
    } catch {
      return Promise.resolve(fallback());
    }
    const { signal, cancelToken } = waiter.caller;
    return privateClient
      .request({ ...waiter.config, signal, cancelToken, adapter: notSent })
      .then(fallback, (error: unknown) => redactAxiosError(error));
  };
}

/** Creates the in-flight table of one client on `instance`. */
export function createCoalescer(instance: AxiosInstance): Coalescer {
  const flights = createInFlightTable<Flight>();
  let coalesced = 0;
  const canceled = canceledErrors(instance);

  function start(key: string, config: AxiosRequestConfig, leader: Waiter): Flight {
    // A signal costs axios some work per request: none when nobody could ever cancel this one.
    const controller = leader.cancel.signal || leader.timer ? new AbortController() : undefined;
    const flight: Flight = { key, place: undefined, config, controller, waiters: [leader], leader };
    flights.add(flight);
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(
        instance.request(controller ? { ...config, signal: controller.signal as AxiosRequestConfig['signal'] } : config),
      );
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => land(flight, { value }),
      (error: unknown) => land(flight, { error, failed: true }),
    );
    return flight;
  }

  function join(waiter: Waiter, key: string, config: AxiosRequestConfig): void {
    const flight = flights.get(key);
    if (flight) flight.waiters.push(waiter);
    waiter.flight = flight ?? start(key, config, waiter);
  }

  /**
   * The answer arrived: every caller still waiting gets it, the first the original and the others
   * copies, all made before anyone runs. A timeout is the answer only for callers whose own timeout
   * has run out too: one that joined later still has time, and waits for a request sent for it
   * (joined by the others in the same case), bounded by its own deadline.
   */
  function land(flight: Flight, settled: Settled): void {
    flights.remove(flight);
    if (flight.waiters.length === 1 && flight.waiters[0] === flight.leader) {
      finish(flight.leader, settled); // alone: the common case
      return;
    }
    const waiting = flight.waiters;
    flight.waiters = [];
    const now = Date.now();
    const again = settled.failed && isTimeout(settled.error);
    const answered = waiting.filter(
      (waiter) => !(again && waiter !== flight.leader && waiter.deadline !== undefined && waiter.deadline > now),
    );
    for (const waiter of waiting) if (!answered.includes(waiter)) sendAgain(waiter, flight, settled.error);
    const outcomes = answered.map((_, i) => (i === 0 ? settled : copyOrShare(settled)));
    answered.forEach((waiter, i) => {
      if (waiter !== flight.leader) coalesced++;
      finish(waiter, outcomes[i]!);
    });
  }

  function sendAgain(waiter: Waiter, flight: Flight, timedOut: unknown): void {
    waiter.timer ??= setTimeout(() => leave(waiter, copyOrShare({ error: timedOut, failed: true })), waiter.deadline! - Date.now());
    join(waiter, flight.key, flight.config);
  }

  /**
   * A caller stops waiting: its signal aborted (no `settled`: it gets axios' CanceledError), or its
   * own timeout ran out. The last caller to leave takes the request down with it.
   */
  function leave(waiter: Waiter, settled?: Settled): void {
    const flight = waiter.flight;
    const at = flight ? flight.waiters.indexOf(waiter) : -1;
    if (waiter.done || !flight || at < 0) return;
    flight.waiters.splice(at, 1);
    if (flight.waiters.length === 0) {
      flights.remove(flight);
      flight.controller?.abort();
    }
    if (settled) finish(waiter, settled);
    else void canceled(waiter).then((error) => finish(waiter, { error, failed: true }));
  }

  function send(call: KeyedCall, caller: AxiosRequestConfig): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const cancel = cancellationOf(caller);
      const deadline = call.timeout === undefined ? undefined : Date.now() + call.timeout;
      const waiter: Waiter = {
        config: call.config,
        caller,
        deadline,
        timer: undefined,
        cancel,
        onAbort: undefined,
        flight: undefined,
        done: false,
        resolve,
        reject,
      };
      join(waiter, call.key, call.config);
      if (cancel.signal) {
        waiter.onAbort = () => leave(waiter);
        cancel.signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
    });
  }

  return {
    send,
    forget: () => flights.clear(),
    get coalesced() {
      return coalesced;
    },
  };
}
