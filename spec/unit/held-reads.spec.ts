import { holdReads } from '../../lib/transport/held-reads';

// Which sockets the refresh holds back (lib/transport/held-reads.ts), on stand-ins for Node's
// http.Agent pools: only those whose request went out with the dead token and whose answer is unread.

const DEAD = 'Bearer at-dead';

function socket(authorization: string | undefined, { complete = false, paused = false, destroyed = false } = {}) {
  let isPaused = paused;
  const s = {
    destroyed,
    pauses: 0,
    resumes: 0,
    _httpMessage: {
      getHeader: (name: string) => (name === 'authorization' ? authorization : undefined),
      res: complete ? { complete } : null,
    },
    pause: () => ((isPaused = true), s.pauses++),
    resume: () => ((isPaused = false), s.resumes++),
    isPaused: () => isPaused,
  };
  return s;
}

const agent = (sockets: unknown[], queued = 0) => ({
  sockets: { '127.0.0.1:80:': sockets },
  requests: queued ? { '127.0.0.1:80:': Array(queued).fill({}) } : {},
});

afterEach(() => jest.useRealTimers());

describe('holdReads', () => {
  it('pauses only the sockets whose request carries the dead token and is unanswered, and resumes only those', () => {
    const dead = socket(DEAD);
    const otherToken = socket('Bearer at-other');
    const noToken = socket(undefined);
    const answered = socket(DEAD, { complete: true });
    const pausedByNode = socket(DEAD, { paused: true });
    const gone = socket(DEAD, { destroyed: true });
    const release = holdReads([agent([dead, otherToken, noToken, answered, pausedByNode, gone])], DEAD, []);

    expect([dead, otherToken, noToken, answered, pausedByNode, gone].map((s) => s.pauses)).toEqual([1, 0, 0, 0, 0, 0]);
    release();
    release(); // twice: nothing more
    expect(dead.resumes).toBe(1);
    expect(pausedByNode.isPaused()).toBe(true); // Node's own pause (backpressure) is left as it was
  });

  it('leaves a socket alone once it was destroyed or resumed meanwhile', () => {
    const destroyed = socket(DEAD);
    const resumedByNode = socket(DEAD);
    const release = holdReads([agent([destroyed, resumedByNode])], DEAD, []);
    destroyed.destroyed = true;
    resumedByNode.resume();
    release();
    expect([destroyed.resumes, resumedByNode.resumes]).toEqual([0, 1]);
  });

  it('ignores what is not an agent pool, and the same agent given twice', () => {
    const dead = socket(DEAD);
    const pool = agent([dead]);
    const release = holdReads([undefined, null, {}, 'agent', { sockets: null }, pool, pool], DEAD, []);
    expect(dead.pauses).toBe(1);
    release();
  });

  it('lets everything go when a request queues in a pool the caller’s own request shares', () => {
    jest.useFakeTimers();
    const dead = socket(DEAD);
    const pool = agent([dead], 1);
    holdReads([pool], DEAD, [pool]);
    expect(dead.isPaused()).toBe(true);
    jest.runOnlyPendingTimers();
    expect(dead.isPaused()).toBe(false);
  });

  it('keeps holding when requests queue only in pools the caller’s own request does not use', () => {
    jest.useFakeTimers();
    const dead = socket(DEAD);
    const release = holdReads([agent([dead], 3)], DEAD, [agent([])]);
    jest.runOnlyPendingTimers();
    expect(dead.isPaused()).toBe(true);
    release();
    expect(dead.isPaused()).toBe(false);
  });
});
