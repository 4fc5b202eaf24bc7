// Maps the library's errors to HTTP answers with safe messages: the browser learns that the data
// service is unavailable, never why in detail, and never a token or password.
const { isGraphQLRequestError, isLoginError, isSessionExpiredError, isTokenRefreshError } = require('axios-graphql-refresh');

function nextSchoolErrors(log) {
  // Express recognises error middleware by its four parameters.
  // eslint-disable-next-line no-unused-vars
  return function handleNextSchoolError(error, _req, res, next) {
    if (isLoginError(error) || isSessionExpiredError(error)) {
      // The service account was rejected: an operator must fix the credentials.
      log('nextschool credentials rejected', { code: error.code });
      return res.status(502).json({ error: 'upstream_auth', message: 'The school data service is unavailable.' });
    }
    if (isTokenRefreshError(error)) {
      // Transient (network, timeout, 5xx during the refresh): the next request tries again.
      log('nextschool refresh failed', { code: error.code });
      return res.status(503).set('Retry-After', '5').json({ error: 'upstream_unavailable', message: 'Please try again in a few seconds.' });
    }
    if (isGraphQLRequestError(error)) {
      log('nextschool answered with errors', { code: error.code });
      if (error.code === 'FORBIDDEN')
        return res.status(502).json({ error: 'upstream_forbidden', message: 'The service account has no school.' });
      return res.status(502).json({ error: 'upstream_error', message: 'The school data service answered with an error.' });
    }
    if (error?.isAxiosError) {
      log('nextschool unreachable', { code: error.code, status: error.response?.status });
      return res.status(502).json({ error: 'upstream_unreachable', message: 'The school data service is unavailable.' });
    }
    return next(error);
  };
}

module.exports = { nextSchoolErrors };
