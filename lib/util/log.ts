import type { Logger } from '../types';

const NAMESPACE = 'axios-graphql-refresh';

/** `DEBUG=axios-graphql-refresh` (or `*`) turns on `console.debug` when no logger is given. */
function debugEnabled(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const pattern = env?.DEBUG;
  if (!pattern) return false;
  return pattern.split(/[\s,]+/).some((p) => p === '*' || p === NAMESPACE || p === `${NAMESPACE}:*`);
}

/** The plugin's one log function. Callers pass messages and metadata that never hold a secret. */
export function createLog(logger: Logger | undefined): (message: string, meta?: object) => void {
  if (logger) {
    return (message, meta) => {
      try {
        logger.debug(`${NAMESPACE}: ${message}`, meta);
      } catch {
        /* a failing logger must not fail a request */
      }
    };
  }
  if (debugEnabled()) return (message, meta) => console.debug(`${NAMESPACE}: ${message}`, meta ?? '');
  return () => {};
}
