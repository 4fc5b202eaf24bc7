import diagnostics from 'node:diagnostics_channel';
import { waitFor } from '../support/events';
import { closeAll, harness, holdOperation, STUDENTS } from '../support/setup';

// The plugin publishes on node:diagnostics_channel (docs/observability.md): what an operator's
// subscriber sees for a refresh, the requests it held and replayed, and a session end — and never a
// token in any message.

afterEach(closeAll);

const NAMES = ['refresh:start', 'refresh:end', 'refresh:error', 'replay', 'held', 'rate-limited', 'session-expired'] as const;

function record() {
  const events: Array<{ name: string; message: Record<string, unknown> }> = [];
  const subscribers = NAMES.map((name) => {
    const listener = (message: unknown) => events.push({ name, message: message as Record<string, unknown> });
    diagnostics.subscribe(`axios-graphql-refresh:${name}`, listener);
    return () => diagnostics.unsubscribe(`axios-graphql-refresh:${name}`, listener);
  });
  return {
    events,
    stop: () => subscribers.forEach((s) => s()),
    of: (name: string) => events.filter((e) => e.name === name).map((e) => e.message),
  };
}

describe('attachTokenRefresh(instance): diagnostics channels', () => {
  it('publishes one refresh (start, end), the requests it held and the replays, with no token in any message', async () => {
    const h = await harness();
    const rec = record();
    try {
      h.server.expireAccessTokens();
      const refresh = holdOperation(h.server, 'RefreshToken');
      const first = h.client.query(STUDENTS, { limit: 1 });
      await refresh.arrived;
      const held = Array.from({ length: 3 }, () => h.client.query(STUDENTS, { limit: 1 }));
      await waitFor(() => h.auth.stats.queued === 3, 'three requests held');
      refresh.release();
      await Promise.all([first, ...held]);

      expect(rec.of('refresh:start')).toEqual([
        expect.objectContaining({ kind: 'refresh', attempt: 1, operation: 'Students', reason: 'unauthenticated' }),
      ]);
      expect(rec.of('refresh:end')).toEqual([expect.objectContaining({ kind: 'refresh', attempt: 1, durationMs: expect.any(Number) })]);
      expect(rec.of('held')).toHaveLength(3);
      expect(rec.of('replay')).toEqual([
        expect.objectContaining({ operation: 'Students', resendCount: 1, reason: 'unauthenticated', method: 'post' }),
      ]);
      const text = JSON.stringify(rec.events);
      for (const secret of [h.initial.accessToken, h.initial.refreshToken, ...(h.studentRequests() as string[])])
        expect(text).not.toContain(secret);
    } finally {
      rec.stop();
    }
  });

  it('publishes refresh:error and one session-expired when the refresh token is rejected', async () => {
    const h = await harness();
    const rec = record();
    try {
      h.server.expireAccessTokens();
      h.server.revokeRefreshTokens();
      await expect(h.client.query(STUDENTS)).rejects.toMatchObject({ name: 'SessionExpiredError' });
      expect(rec.of('refresh:error')).toEqual([
        expect.objectContaining({ kind: 'refresh', errorName: 'SessionExpiredError', sessionEnded: true }),
      ]);
      expect(rec.of('session-expired')).toEqual([{ reason: 'refresh-rejected', generation: expect.any(Number) }]);
    } finally {
      rec.stop();
    }
  });

  it('publishes rate-limited with the wait the server asked for', async () => {
    const h = await harness();
    const rec = record();
    try {
      h.server.set({ declineNext: { operationName: 'Students', count: 1, kind: 'graphql', retryAfterSeconds: 0.05 } });
      await h.client.query(STUDENTS);
      expect(rec.of('rate-limited')).toEqual([{ operation: 'Students', reason: 'declined', status: 200, delayMs: 50, attempt: 1 }]);
      expect(rec.of('replay')).toEqual([expect.objectContaining({ reason: 'rate-limited', resendCount: 1 })]);
    } finally {
      rec.stop();
    }
  });
});
