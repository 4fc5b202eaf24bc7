import { copyConfig } from '../../lib/util/own-properties';

// copyConfig replaces `{ ...config, ...changes }` on the replay path (send.ts, adapters.ts): it must
// give exactly what the spread gives.

describe('copyConfig', () => {
  const tag = Symbol('tag');
  const hidden = Symbol('hidden');

  function configWithEverything(): Record<PropertyKey, unknown> {
    const config: Record<PropertyKey, unknown> = { url: '/', method: 'post', data: '{"query":"{a}"}', headers: { A: '1' } };
    config[tag] = { mine: true };
    Object.defineProperty(config, hidden, { value: 'not enumerable', enumerable: false });
    Object.defineProperty(config, 'secret', { value: 'not enumerable', enumerable: false });
    Object.defineProperty(config, '__proto__', { value: { own: true }, enumerable: true, writable: true, configurable: true });
    return config;
  }

  it('gives what the spread gives: own enumerable keys and symbols, __proto__ as an own key, changes last', () => {
    const config = configWithEverything();
    const changes: Record<PropertyKey, unknown> = { headers: { B: '2' }, [tag]: 'changed', adapter: undefined };
    const copy = copyConfig(config, changes);
    const spread: Record<PropertyKey, unknown> = { ...config, ...changes };
    expect(Reflect.ownKeys(copy)).toEqual(Reflect.ownKeys(spread));
    for (const key of Reflect.ownKeys(spread)) expect(copy[key]).toBe(spread[key]);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toEqual({ own: true });
    expect(copy[hidden]).toBeUndefined();
    expect('secret' in copy).toBe(false);
  });

  it('leaves the config it copies as it was, and shares the values (a shallow copy)', () => {
    const config = configWithEverything();
    const headers = config.headers;
    const copy = copyConfig(config, { headers: { B: '2' }, extra: 1 });
    expect(config.headers).toBe(headers);
    expect('extra' in config).toBe(false);
    expect(copy[tag]).toBe(config[tag]);
  });

  it('keeps the order of the keys, an own __proto__ first included, and skips what a change does not enumerate', () => {
    const config = JSON.parse('{"__proto__": {"own": true}, "url": "/", "method": "post"}') as Record<PropertyKey, unknown>;
    const changes: Record<PropertyKey, unknown> = { method: 'get', data: 'x' };
    Object.defineProperty(changes, 'invisible', { value: 1, enumerable: false });
    const copy = copyConfig(config, changes);
    const spread: Record<PropertyKey, unknown> = { ...config, ...changes };
    expect(Reflect.ownKeys(copy)).toEqual(['__proto__', 'url', 'method', 'data']);
    expect(Reflect.ownKeys(copy)).toEqual(Reflect.ownKeys(spread));
    expect(copy.method).toBe('get');
  });

  it('never sets the prototype from a change named __proto__', () => {
    const changes = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const copy = copyConfig({ url: '/' }, changes);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(copy)).toEqual(['url', '__proto__']);
  });
});
