import { holdReads } from '../../lib/transport/held-reads';

// Which sockets the refresh holds back (lib/transport/held-reads.ts), on stand-ins for Node's
// http.Agent pools: only those whose request went out with the dead token and whose answer is unread.

const DEAD = 'Bearer at-dead';

function socket(authorization: string | undefined, { begun = false, paused = false, destroyed = false } = {}) {
  let isPaused = paused;
  const s = {
    destroyed,
    timeout: 0,
    pauses: 0,
    resumes: 0,
    _httpMessage: {
      getHeader: (name: string) => (name === 'authorization' ? authorization : undefined),
      res: begun ? {} : null,
    },
    pause: () => ((isPaused = true), s.pauses++),
    resume: () => ((isPaused = false), s.resumes++),
    isPaused: () => isPaused,
  };
  return s;
}

const agent = (sockets: unknown[]): { sockets: object; requests: Record<string, unknown[]> } => ({
  sockets: { '127.0.0.1:80:': sockets },
  requests: {},
});

afterEach(() => jest.useRealTimers());

describe('holdReads', () => {
  it('pauses only the sockets whose request carries the dead token and whose answer is not begun, and resumes only those', () => {
    const dead = socket(DEAD);
    const otherToken = socket('Bearer at-other');
    const noToken = socket(undefined);
    const answered = socket(DEAD, { begun: true }); // its answer's head is parsed: being read
    const pausedByNode = socket(DEAD, { paused: true });
    const gone = socket(DEAD, { destroyed: true });
    const release = holdReads([agent([dead, otherToken, noToken, answered, pausedByNode, gone])], DEAD);

    expect([dead, otherToken, noToken, answered, pausedByNode, gone].map((s) => s.pauses)).toEqual([1, 0, 0, 0, 0, 0]);
    release();
    release(); // twice: nothing more
    expect(dead.resumes).toBe(1);
    expect(pausedByNode.isPaused()).toBe(true); // Node's own pause (backpressure) is left as it was
  });

  it('leaves a socket alone once it was destroyed or resumed meanwhile', () => {
    const destroyed = socket(DEAD);
    const resumedByNode = socket(DEAD);
    const release = holdReads([agent([destroyed, resumedByNode])], DEAD);
    destroyed.destroyed = true;
    resumedByNode.resume();
    release();
    expect([destroyed.resumes, resumedByNode.resumes]).toEqual([0, 1]);
  });

  it('ignores what is not an agent pool, and the same agent given twice', () => {
    const dead = socket(DEAD);
    const pool = agent([dead]);
    const release = holdReads([undefined, null, {}, 'agent', { sockets: null }, pool, pool], DEAD);
    expect(dead.pauses).toBe(1);
    release();
  });

  it('lets everything go as soon as a request queues in one of the held pools', () => {
    jest.useFakeTimers();
    const dead = socket(DEAD);
    const other = socket(DEAD);
    const pool = agent([dead]);
    holdReads([pool, agent([other])], DEAD);
    jest.advanceTimersByTime(10);
    expect([dead.isPaused(), other.isPaused()]).toEqual([true, true]); // nothing queued yet: held
    pool.requests = { '127.0.0.1:80:': [{}] };
    jest.advanceTimersByTime(2);
    expect([dead.isPaused(), other.isPaused()]).toEqual([false, false]);
  });

  it.each([
    ['no socket has a timeout: after 50 ms', [0, 0], 50],
    ['a socket has a timeout of 400 ms: still after 50 ms', [400, 0], 50],
    ['a socket has a timeout of 40 ms: after half of it, 20 ms', [40, 0], 20],
  ])('lets every socket go by itself when %s', (_, timeouts, afterMs) => {
    jest.useFakeTimers();
    const sockets = timeouts.map((timeout) => Object.assign(socket(DEAD), { timeout }));
    const release = holdReads([agent(sockets)], DEAD);
    jest.advanceTimersByTime(afterMs - 3);
    expect(sockets.map((s) => s.isPaused())).toEqual([true, true]);
    jest.advanceTimersByTime(3);
    expect(sockets.map((s) => s.isPaused())).toEqual([false, false]);
    expect(jest.getTimerCount()).toBe(0); // nothing left to fire
    release(); // later, when the refresh answers: nothing more
    expect(sockets.map((s) => s.resumes)).toEqual([1, 1]);
  });

  it('holds nothing, and leaves no timer, when no socket carries the token', () => {
    jest.useFakeTimers();
    holdReads([agent([socket('Bearer at-other')])], DEAD)();
    expect(jest.getTimerCount()).toBe(0);
  });
});
