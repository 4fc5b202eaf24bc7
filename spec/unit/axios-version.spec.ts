import axios from 'axios';

// Guards the axios 0.27 CI run: when a version is expected, the suite must really run on it.
describe('axios under test', () => {
  it('is the version the run asked for', () => {
    const expected = process.env.EXPECT_AXIOS_VERSION;
    expect(typeof axios.VERSION).toBe('string');
    if (expected) expect(axios.VERSION).toBe(expected);
    else expect(Number(axios.VERSION.split('.')[0])).toBeGreaterThanOrEqual(1);
  });
});
