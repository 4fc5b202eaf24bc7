import { createLog } from '../../lib/util/log';

describe('createLog(logger)', () => {
  const saved = process.env.DEBUG;
  afterEach(() => {
    // Assigning undefined would store the string 'undefined'.
    if (saved === undefined) delete process.env.DEBUG;
    else process.env.DEBUG = saved;
    jest.restoreAllMocks();
  });

  it('prefixes messages for a given logger and survives a throwing one', () => {
    const lines: string[] = [];
    createLog({ debug: (m) => lines.push(m) })('refreshing', { a: 1 });
    expect(lines).toEqual(['axios-graphql-refresh: refreshing']);
    expect(() =>
      createLog({
        debug: () => {
          throw new Error('x');
        },
      })('m'),
    ).not.toThrow();
  });

  it('logs to console.debug only when DEBUG names the package', () => {
    const spy = jest.spyOn(console, 'debug').mockImplementation(() => {});
    process.env.DEBUG = 'other';
    createLog(undefined)('quiet');
    expect(spy).not.toHaveBeenCalled();
    process.env.DEBUG = 'express,axios-graphql-refresh';
    createLog(undefined)('loud');
    expect(spy).toHaveBeenCalledWith('axios-graphql-refresh: loud', '');
  });
});
