/**
 * Base of the errors this package throws. Carries a stable `code` and the original error in
 * `cause`; renders (message, `toJSON()`) without any token or password, because every place that
 * creates one passes redacted material only.
 *
 * @example
 * ```ts
 * if (error instanceof PluginError) log.warn({ code: error.code }, error.message);
 * ```
 */
export abstract class PluginError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message);
    if (options && 'cause' in options) {
      // Non-enumerable like the native `cause`, so JSON.stringify does not walk into it.
      Object.defineProperty(this, 'cause', { value: options.cause, writable: true, configurable: true });
    }
  }

  /** A plain rendering for logs: name, code, message, and the cause's name and message. */
  toJSON(): Record<string, unknown> {
    const cause = this.cause as { name?: unknown; message?: unknown } | undefined;
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(cause && typeof cause === 'object' ? { cause: { name: cause.name, message: cause.message } } : {}),
    };
  }
}

/** True when `value` is an Error-like object with this `name` and `code` (works across package copies). */
export function hasNameAndCode(value: unknown, name: string, code?: string): boolean {
  if (!value || typeof value !== 'object') return false;
  const candidate = value as { name?: unknown; code?: unknown };
  return candidate.name === name && (code === undefined || candidate.code === code);
}
