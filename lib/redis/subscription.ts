import type { RedisClientLike, RedisSubscriberLike } from './options';

// The store's one subscriber connection (`duplicate()`), opened lazily, never after close().
// `live` is true only between a confirmed SUBSCRIBE and the next disconnect; `epoch` changes on
// both, so a read can tell whether the subscription stayed live for its whole duration (a read made
// before the subscription was confirmed may have missed a change: docs/scaling.md, "a cache that
// knows when it may be trusted").

export interface SubscriptionEvents {
  message(raw: string): void;
  /** Disconnected: messages may be missed from now on. */
  lost(): void;
  /** Subscribed (again): messages arrive from now on, but any sent meanwhile were missed. */
  confirmed(): void;
}

export interface Subscription {
  readonly live: boolean;
  readonly epoch: number;
  close(): void;
}

/**
 * The subscriber connection. ioredis subscribes again by itself after a reconnect, with a promise
 * nobody can catch: closed before Redis answers, it rejects unhandled ("Connection is closed."),
 * which crashes a Node process. So that is turned off (not on a Cluster, whose `duplicate` takes
 * other arguments), and ours subscribes again on `ready`, with its failure handled.
 */
function subscriberOf(redis: RedisClientLike): RedisSubscriberLike {
  return (redis as { isCluster?: boolean }).isCluster ? redis.duplicate() : redis.duplicate({ autoResubscribe: false });
}

export function openSubscription(redis: RedisClientLike, channel: string, events: SubscriptionEvents): Subscription {
  const subscriber: RedisSubscriberLike = subscriberOf(redis);
  let live = false;
  let epoch = 0;
  let closed = false;
  const lost = () => {
    if (closed) return;
    if (live) epoch++;
    live = false;
    events.lost();
  };
  const subscribe = () => {
    const at = epoch;
    subscriber.subscribe(channel).then(() => {
      if (closed || live || at !== epoch) return;
      live = true;
      epoch++;
      events.confirmed();
    }, lost);
  };
  subscriber.on('message', (from: string, raw: string) => {
    if (!closed && from === channel) events.message(raw);
  });
  subscriber.on('close', lost);
  subscriber.on('end', lost);
  subscriber.on('error', () => {}); // reported through 'close'; an unhandled 'error' would crash the process
  // Subscribes again after a reconnect (ioredis' own resubscribing is off: see subscriberOf).
  subscriber.on('ready', () => {
    if (!closed && !live) subscribe();
  });
  subscribe();
  return {
    get live() {
      return live;
    },
    get epoch() {
      return epoch;
    },
    close() {
      closed = true;
      live = false;
      epoch++;
      subscriber.disconnect();
    },
  };
}
