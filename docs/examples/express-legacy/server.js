'use strict';
// node server.js — NEXTSCHOOL_USERNAME, NEXTSCHOOL_PASSWORD (and optionally NEXTSCHOOL_URL, PORT).
const { createApp } = require('./app');
const { createNextSchool } = require('./nextschool');

const log = (message, meta) => console.log(`[nextschool] ${message}`, meta || '');
const nextschool = createNextSchool(process.env, { debug: log });
const app = createApp({ nextschool, log });
const port = Number(process.env.PORT) || 3000;
app.listen(port, () => console.log(`listening on http://localhost:${port}`));
