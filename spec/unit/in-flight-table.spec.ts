import { createInFlightTable } from '../../lib/client/in-flight-table';

// The coalescer's table of requests in flight (lib/client/in-flight-table.ts): a request is joined
// only while it is the one under its key, and a request taken out (answered, or forgotten when a
// write was sent) never takes out another that reused its place or its key.

const entry = (key: string) => ({ key }) as { key: string; place?: number };

describe('the in-flight table', () => {
  it('finds an entry by its key until it is removed', () => {
    const table = createInFlightTable();
    const a = entry('a');
    table.add(a);
    expect(table.get('a')).toBe(a);
    expect(table.get('b')).toBeUndefined();
    table.remove(a);
    expect(table.get('a')).toBeUndefined();
  });

  it('a removed entry removed again does not take out the entry that reused its place', () => {
    const table = createInFlightTable();
    const a = entry('a');
    table.add(a);
    table.remove(a);
    const b = entry('b');
    table.add(b); // takes a's place
    table.remove(a);
    expect(table.get('b')).toBe(b);
  });

  it('an entry replaced under its key is out, and removing it leaves the newer one', () => {
    const table = createInFlightTable();
    const first = entry('k');
    const second = entry('k');
    table.add(first);
    table.add(second);
    expect(table.get('k')).toBe(second);
    table.remove(first);
    expect(table.get('k')).toBe(second);
  });

  it('after clear(), nothing is found, and entries that were in it remove nothing added since', () => {
    const table = createInFlightTable();
    const old = entry('k');
    table.add(old);
    table.clear();
    expect(table.get('k')).toBeUndefined();
    const fresh = entry('k');
    table.add(fresh); // same key, and the first place of the new array: old's place number
    table.remove(old);
    expect(table.get('k')).toBe(fresh);
  });

  it('keeps many entries apart, and reuses places as they free', () => {
    const table = createInFlightTable();
    const entries = Array.from({ length: 100 }, (_, i) => entry(`k${i}`));
    for (const e of entries) table.add(e);
    for (const e of entries.filter((_, i) => i % 2 === 0)) table.remove(e);
    const later = Array.from({ length: 50 }, (_, i) => entry(`later${i}`));
    for (const e of later) table.add(e);
    expect(entries.every((e, i) => table.get(e.key) === (i % 2 === 0 ? undefined : e))).toBe(true);
    expect(later.every((e) => table.get(e.key) === e)).toBe(true);
    expect(Math.max(...later.map((e) => e.place!))).toBeLessThan(100); // the freed places, not new ones
  });
});
