// The table of requests in flight, by key (coalesce.ts). A `Map<string, Flight>` that lives as long
// as the client, with entries coming and going all the time, made V8's garbage collector keep much
// of what each request held for longer than the request: with 50 calls at a time, a call cost about
// 40% more CPU than with `coalesce: false`, nearly all of it in garbage collection (measured with
// the table, without it, and with one entry left in it for good; docs/graphql-client.md, "What it
// costs"). The `Map` here only ever holds numbers, the entries' places in a plain array, which does
// not have that cost; a place is reused once free.

/** What the table holds: an entry knows its key and, while it is in the table (and may be joined), its place. */
export interface Entry {
  key: string;
  place?: number | undefined;
}

/** The requests in flight, by key. */
export interface InFlightTable<T extends Entry> {
  get(key: string): T | undefined;
  /** Puts `entry` under its key, in place of any entry there. */
  add(entry: T): void;
  /** Takes `entry` out, if it is still the one under its key (a newer one may have replaced it). */
  remove(entry: T): void;
  /** Takes every entry out. */
  clear(): void;
}

/** Creates an empty table. */
export function createInFlightTable<T extends Entry>(): InFlightTable<T> {
  const places = new Map<string, number>();
  let entries: Array<T | undefined> = [];
  let free: number[] = [];
  const get = (key: string) => {
    const place = places.get(key);
    return place === undefined ? undefined : entries[place];
  };
  const remove = (entry: T) => {
    const place = entry.place;
    if (place === undefined || entries[place] !== entry) return;
    places.delete(entry.key);
    entries[place] = undefined;
    entry.place = undefined;
    free.push(place);
  };
  return {
    get,
    add(entry) {
      const old = get(entry.key);
      if (old) remove(old);
      const place = free.pop() ?? entries.length;
      entries[place] = entry;
      entry.place = place;
      places.set(entry.key, place);
    },
    remove,
    clear() {
      places.clear(); // the entries out keep a place, in an array no longer used: `remove` ignores them
      entries = [];
      free = [];
    },
  };
}
