// node server.js — one service account: NEXTSCHOOL_USERNAME, NEXTSCHOOL_PASSWORD; one account per
// school: NEXTSCHOOL_ACCOUNTS (JSON), REDIS_URL when several processes run. Optional: NEXTSCHOOL_URL, PORT.
const { createApp } = require('./app');
const { createNextSchool } = require('./nextschool');
const { createSchoolClientsFromEnv } = require('./schools');

const log = (message, meta) => console.log(`[nextschool] ${message}`, meta || '');
const env = process.env;
const nextschool = env.NEXTSCHOOL_USERNAME ? createNextSchool(env, { debug: log }) : undefined;
const schools = env.NEXTSCHOOL_ACCOUNTS ? createSchoolClientsFromEnv(env, { debug: log }) : undefined;
if (!nextschool && !schools) throw new Error('Set NEXTSCHOOL_USERNAME and NEXTSCHOOL_PASSWORD, or NEXTSCHOOL_ACCOUNTS');
const app = createApp({ nextschool, schools, log });
const port = Number(env.PORT) || 3000;
app.listen(port, () => console.log(`listening on http://localhost:${port}`));
