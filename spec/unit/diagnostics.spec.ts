import diagnosticsChannel from 'node:diagnostics_channel';
import {
  DIAGNOSTICS_CHANNELS,
  hasDiagnosticsSubscribers,
  publishHeld,
  publishRateLimited,
  publishRefreshEnd,
  publishRefreshError,
  publishRefreshStart,
  publishReplay,
  publishSessionExpired,
} from '../../lib/diagnostics';

// Subscribes as an operator (or an OpenTelemetry instrumentation) would: by channel name.
function record(name: string): { messages: unknown[]; stop(): void } {
  const messages: unknown[] = [];
  const listener = (message: unknown) => messages.push(message);
  diagnosticsChannel.subscribe(name, listener);
  return { messages, stop: () => diagnosticsChannel.unsubscribe(name, listener) };
}

describe('lib/diagnostics', () => {
  it('names the seven channels axios-graphql-refresh:<event>', () => {
    expect(Object.values(DIAGNOSTICS_CHANNELS).sort()).toEqual([
      'axios-graphql-refresh:held',
      'axios-graphql-refresh:rate-limited',
      'axios-graphql-refresh:refresh:end',
      'axios-graphql-refresh:refresh:error',
      'axios-graphql-refresh:refresh:start',
      'axios-graphql-refresh:replay',
      'axios-graphql-refresh:session-expired',
    ]);
  });

  it('publishes each event on its channel, with the fields given', () => {
    const cases: Array<[string, () => void, unknown]> = [
      [
        DIAGNOSTICS_CHANNELS.refreshStart,
        () => publishRefreshStart({ kind: 'refresh', generation: 3, attempt: 1, operation: 'Students', reason: 'unauthenticated' }),
        { kind: 'refresh', generation: 3, attempt: 1, operation: 'Students', reason: 'unauthenticated' },
      ],
      [
        DIAGNOSTICS_CHANNELS.refreshEnd,
        () => publishRefreshEnd({ kind: 'login', generation: 4, attempt: 2, durationMs: 12, expiresAt: 1_000 }),
        { kind: 'login', generation: 4, attempt: 2, durationMs: 12, expiresAt: 1_000 },
      ],
      [
        DIAGNOSTICS_CHANNELS.refreshError,
        () =>
          publishRefreshError({
            kind: 'refresh',
            generation: 4,
            attempt: 3,
            durationMs: 9,
            errorName: 'TokenRefreshError',
            errorCode: 'REFRESH_FAILED',
            sessionEnded: false,
          }),
        {
          kind: 'refresh',
          generation: 4,
          attempt: 3,
          durationMs: 9,
          errorName: 'TokenRefreshError',
          errorCode: 'REFRESH_FAILED',
          sessionEnded: false,
        },
      ],
      [
        DIAGNOSTICS_CHANNELS.replay,
        () => publishReplay({ operation: 'Students', resendCount: 1, reason: 'stale-token', generation: 5, method: 'post' }),
        { operation: 'Students', resendCount: 1, reason: 'stale-token', generation: 5, method: 'post' },
      ],
      [
        DIAGNOSTICS_CHANNELS.held,
        () => publishHeld({ operation: 'Teachers', durationMs: 40, generation: 5 }),
        { operation: 'Teachers', durationMs: 40, generation: 5 },
      ],
      [
        DIAGNOSTICS_CHANNELS.rateLimited,
        () => publishRateLimited({ operation: 'Students', reason: 'declined', status: 429, delayMs: 30_000, attempt: 1 }),
        { operation: 'Students', reason: 'declined', status: 429, delayMs: 30_000, attempt: 1 },
      ],
      [
        DIAGNOSTICS_CHANNELS.sessionExpired,
        () => publishSessionExpired({ reason: 'refresh-rejected', generation: 6 }),
        { reason: 'refresh-rejected', generation: 6 },
      ],
    ];
    for (const [name, publish, expected] of cases) {
      const all = Object.values(DIAGNOSTICS_CHANNELS).map((n) => [n, record(n)] as const);
      publish();
      for (const [n, rec] of all) {
        expect(rec.messages).toEqual(n === name ? [expected] : []);
        rec.stop();
      }
    }
  });

  it('builds nothing when nobody subscribes, and builds the message once when someone does', () => {
    const build = jest.fn(() => ({ operation: 'Students', resendCount: 2, reason: 'unauthenticated' as const, generation: 1 }));
    expect(hasDiagnosticsSubscribers('replay')).toBe(false);
    publishReplay(build);
    expect(build).not.toHaveBeenCalled();

    const rec = record(DIAGNOSTICS_CHANNELS.replay);
    expect(hasDiagnosticsSubscribers('replay')).toBe(true);
    publishReplay(build);
    expect(build).toHaveBeenCalledTimes(1);
    expect(rec.messages).toEqual([{ operation: 'Students', resendCount: 2, reason: 'unauthenticated', generation: 1 }]);
    rec.stop();

    publishReplay(build);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('delivers to subscribers registered through channel objects too (how OpenTelemetry instrumentations subscribe)', () => {
    const seen: unknown[] = [];
    const listener = (m: unknown) => seen.push(m);
    const channel = diagnosticsChannel.channel('axios-graphql-refresh:session-expired');
    channel.subscribe(listener);
    publishSessionExpired(() => ({ reason: 'cleared-elsewhere', generation: 2 }));
    channel.unsubscribe(listener);
    expect(seen).toEqual([{ reason: 'cleared-elsewhere', generation: 2 }]);
  });
});

describe('lib/diagnostics, loaded where node:diagnostics_channel exists only', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const entry = `${__dirname}/../../lib/diagnostics.ts`;

  it('bundles for browsers without pulling in anything from Node', () => {
    const result = esbuild.buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/from\s*["']node:|require\(["']node:|import\(["']node:/);
    expect(code).not.toContain('"node:diagnostics_channel"');
  });

  it('publishes from an ES module on a Node without process.getBuiltinModule (dynamic import path)', async () => {
    const { execFileSync } = await import('node:child_process');
    const bundled = esbuild.buildSync({ entryPoints: [entry], bundle: true, platform: 'neutral', format: 'esm', write: false })
      .outputFiles[0]!.text;
    const script = `
      delete process.getBuiltinModule;
      const lib = await import('data:text/javascript;base64,${Buffer.from(bundled).toString('base64')}');
      const dc = await import('node:diagnostics_channel');
      const seen = [];
      dc.subscribe('axios-graphql-refresh:held', (m) => seen.push(m));
      lib.publishHeld({ durationMs: 1, generation: 1 }); // starts loading; missed
      // The import settles within a few ticks: publish once per tick until delivered (bounded).
      for (let tick = 0; tick < 1000 && seen.length === 0; tick++) {
        await new Promise((r) => setImmediate(r));
        lib.publishHeld({ durationMs: 2, generation: 2 });
      }
      console.log(JSON.stringify(seen));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([{ durationMs: 2, generation: 2 }]);
  });
});

describe('operationNameOf(config)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { operationNameOf } = require('../../lib/diagnostics') as typeof import('../../lib/diagnostics');
  it('names the operation of a JSON body (string or object), a batch, and nothing for an unnamed one', () => {
    expect(operationNameOf({ method: 'post', data: JSON.stringify({ query: 'query Students { students { id } }' }) })).toBe('Students');
    expect(operationNameOf({ method: 'post', data: { query: 'query A { a } query B { b }', operationName: 'B' } })).toBe('B');
    expect(operationNameOf({ method: 'post', data: JSON.stringify([{ query: 'query A { a }' }, { query: 'mutation B { b }' }]) })).toBe(
      'A,B',
    );
    expect(operationNameOf({ method: 'post', data: JSON.stringify({ query: '{ students { id } }' }) })).toBeUndefined();
    expect(operationNameOf({ method: 'post', data: 'not json' })).toBeUndefined();
  });
});
