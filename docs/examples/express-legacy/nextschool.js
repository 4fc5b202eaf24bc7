// One NextSchool client for the whole process, created once at start-up and shared by every
// request: one login, one refresh per expiry, however many requests are in flight.
const { createNextSchoolClient } = require('axios-graphql-refresh/nextschool');

/**
 * @param {object} env - usually process.env
 * @param {{ debug(message: string, meta?: object): void }} [logger] - receives no secret, ever
 */
function createNextSchool(env, logger) {
  if (!env.NEXTSCHOOL_USERNAME || !env.NEXTSCHOOL_PASSWORD) {
    throw new Error('Set NEXTSCHOOL_USERNAME and NEXTSCHOOL_PASSWORD');
  }
  return createNextSchoolClient({
    url: env.NEXTSCHOOL_URL, // defaults to https://data.nextschool.io/
    username: env.NEXTSCHOOL_USERNAME,
    password: env.NEXTSCHOOL_PASSWORD,
    refreshTimeoutMs: Number(env.NEXTSCHOOL_REFRESH_TIMEOUT_MS) || 15000,
    logger,
  });
}

module.exports = { createNextSchool };
