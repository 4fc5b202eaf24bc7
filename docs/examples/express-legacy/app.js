const express = require('express');
const { nextSchoolErrors } = require('./errors');

/**
 * The Express app. `/students…` and `/teachers` query NextSchool through the one shared service
 * account (`nextschool`); `/schools/:school/…` through that school's own account (`schools`, see
 * schools.js). Either may be absent. Errors go to the NextSchool error middleware, then to Express'
 * default handler.
 *
 * @param {{
 *   nextschool?: import('axios-graphql-refresh').NextSchoolClient,
 *   schools?: { forSchool(school: string): import('axios-graphql-refresh').NextSchoolClient | undefined },
 *   log?: (message: string, meta?: object) => void,
 * }} deps
 */
function createApp({ nextschool, schools, log = () => {} }) {
  const app = express();

  // Express 4 does not catch rejected promises: pass them to next() ourselves.
  const route = (handler) => (req, res, next) => Promise.resolve(handler(req, res)).catch(next);
  const int = (value, fallback) => (/^\d+$/.test(String(value)) ? Number(value) : fallback);

  app.get('/healthz', (_req, res) => res.json({ ok: true }));

  const studentsArgs = (query) => ({
    search: typeof query.search === 'string' ? query.search : undefined, // a variable, never interpolated
    limit: Math.min(int(query.limit, 20), 100),
    offset: int(query.offset, 0),
  });

  if (nextschool) {
    app.get(
      '/students',
      route(async (req, res) => {
        res.json({ students: await nextschool.students(studentsArgs(req.query)) });
      }),
    );

    app.get(
      '/students/:id',
      route(async (req, res) => {
        const student = await nextschool.student(int(req.params.id, -1));
        if (!student) return res.status(404).json({ error: 'not_found' });
        res.json({ student });
      }),
    );

    app.get(
      '/teachers',
      route(async (req, res) => {
        res.json({ teachers: await nextschool.teachers({ limit: Math.min(int(req.query.limit, 20), 100) }) });
      }),
    );
  }

  if (schools) {
    // In a real app, check here that the signed-in user belongs to req.params.school.
    const schoolClient = (req, res) => {
      const client = schools.forSchool(req.params.school);
      if (!client) res.status(404).json({ error: 'unknown_school' });
      return client;
    };
    app.get(
      '/schools/:school/students',
      route(async (req, res) => {
        const client = schoolClient(req, res);
        if (client) res.json({ students: await client.students(studentsArgs(req.query)) });
      }),
    );
    app.get(
      '/schools/:school/teachers',
      route(async (req, res) => {
        const client = schoolClient(req, res);
        if (client) res.json({ teachers: await client.teachers({ limit: Math.min(int(req.query.limit, 20), 100) }) });
      }),
    );
  }

  app.use(nextSchoolErrors(log));
  return app;
}

module.exports = { createApp };
