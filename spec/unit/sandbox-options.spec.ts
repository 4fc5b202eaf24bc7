import { startSandboxServer } from '../../lib/testing';

// startSandboxServer checks its options with the library's one message shape (docs/testing.md):
// a wrong value fails at once, before any port is opened.

describe('startSandboxServer(options): validation', () => {
  it.each([
    [{ accessTtlMs: Number.POSITIVE_INFINITY }, 'Expected `accessTtlMs` to be a finite number > 0, got `Infinity`'],
    [{ refreshTtlMs: 0 }, 'Expected `refreshTtlMs` to be a finite number > 0, got `0`'],
    [{ latencyMs: Number.NaN }, 'Expected `latencyMs` to be a finite number ≥ 0 and ≤ 2147483647, got `NaN`'],
    [{ port: 70_000 }, 'Expected `port` to be an integer ≥ 0 and ≤ 65535, got `70000`'],
    [
      { rateLimits: { windowMs: Number.POSITIVE_INFINITY } },
      'Expected `rateLimits.windowMs` to be a finite number > 0 and ≤ 2147483647, got `Infinity`',
    ],
    [{ rateLimits: { perUser: 2.5 } }, 'Expected `rateLimits.perUser` to be an integer ≥ 1, or Infinity, got `2.5`'],
    [{ rateLimits: 'off' }, 'Expected `rateLimits` to be false or an object, got `"off"`'],
    [{ faults: { reset: 2 } }, 'Expected `faults.reset` to be a finite number ≥ 0 and ≤ 1, got `2`'],
    [{ users: [] }, 'Expected `users` to be a non-empty array of { username, password }, got an array'],
  ])('rejects %p with one TypeError naming the option', async (options, message) => {
    // A sandbox that starts despite the option is closed again: the test must fail, not hang.
    const outcome = await startSandboxServer(options as never).then(
      async (sandbox) => {
        await sandbox.close();
        return 'started';
      },
      (error: unknown) => error,
    );
    expect(outcome).toEqual(new TypeError(message));
    expect(outcome).toBeInstanceOf(TypeError);
  });
});
