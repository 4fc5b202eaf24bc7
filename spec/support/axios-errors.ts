import axios from 'axios';

// axios' own errors, made as the copy under test makes them: with its classes (0.27 and newer), or
// as 0.22–0.26 do, which have none (core/createError.js, cancel/Cancel.js). The suite runs on each
// supported line (scripts/test-with.sh); fake transports in the specs must fail as the real one would.

type Classes = {
  AxiosError?: new (message: string, code?: string, config?: unknown, request?: unknown, response?: unknown) => Error;
  CanceledError?: new (message?: string, code?: string, config?: unknown) => Error;
  Cancel?: new (message?: string) => object;
};
const classes = axios as unknown as Classes;

/** An axios error as this copy of axios makes it (`isAxiosError`, `code`, `config`, `toJSON`). */
export function axiosError(message: string, code: string, config: unknown, request: unknown = {}, response?: unknown): Error {
  if (classes.AxiosError) return new classes.AxiosError(message, code, config, request, response);
  const error = Object.assign(new Error(message), { config, code, request, response, isAxiosError: true });
  return Object.assign(error, {
    toJSON: () => ({ message: error.message, name: error.name, config: error.config, code: error.code, status: null }),
  });
}

/** What this copy of axios rejects a cancelled request with (`axios.isCancel` holds for it). */
export function canceledError(config: unknown): unknown {
  if (classes.CanceledError) return new classes.CanceledError(undefined, undefined, config);
  return new classes.Cancel!('canceled');
}
