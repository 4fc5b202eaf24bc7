'use strict';
const express = require('express');
const { nextSchoolErrors } = require('./errors');

/**
 * The Express app. Routes query NextSchool through the one shared client; errors go to the
 * NextSchool error middleware, then to Express' default handler.
 *
 * @param {{ nextschool: import('axios-graphql-refresh').NextSchoolClient, log?: (message: string, meta?: object) => void }} deps
 */
function createApp({ nextschool, log = () => {} }) {
  const app = express();

  // Express 4 does not catch rejected promises: pass them to next() ourselves.
  const route = (handler) => (req, res, next) => Promise.resolve(handler(req, res)).catch(next);
  const int = (value, fallback) => (/^\d+$/.test(String(value)) ? Number(value) : fallback);

  app.get('/healthz', (req, res) => res.json({ ok: true }));

  app.get('/students', route(async (req, res) => {
    const students = await nextschool.students({
      search: typeof req.query.search === 'string' ? req.query.search : undefined, // a variable, never interpolated
      limit: Math.min(int(req.query.limit, 20), 100),
      offset: int(req.query.offset, 0),
    });
    res.json({ students });
  }));

  app.get('/students/:id', route(async (req, res) => {
    const student = await nextschool.student(int(req.params.id, -1));
    if (!student) return res.status(404).json({ error: 'not_found' });
    res.json({ student });
  }));

  app.get('/teachers', route(async (req, res) => {
    res.json({ teachers: await nextschool.teachers({ limit: Math.min(int(req.query.limit, 20), 100) }) });
  }));

  app.use(nextSchoolErrors(log));
  return app;
}

module.exports = { createApp };
