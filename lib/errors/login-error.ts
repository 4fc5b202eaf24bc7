import { hasNameAndCode, PluginError } from './plugin-error';

/**
 * The server rejected the login credentials. Never retried automatically (NextSchool allows five
 * logins a minute per IP). The message is the server's; the password never appears in it.
 *
 * @example
 * ```ts
 * login: async () => {
 *   const answer = await postLogin();
 *   if (!answer.accessToken) throw new LoginError('Invalid credentials');
 *   return answer;
 * }
 * ```
 */
export class LoginError extends PluginError {
  override readonly name = 'LoginError';
  readonly code = 'LOGIN_FAILED';
}

/**
 * Recognises a {@link LoginError}, also one from another copy of this package.
 *
 * @example
 * ```ts
 * if (isLoginError(error)) alert('Check the service credentials');
 * ```
 */
export function isLoginError(value: unknown): value is LoginError {
  return value instanceof LoginError || hasNameAndCode(value, 'LoginError', 'LOGIN_FAILED');
}
