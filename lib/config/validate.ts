// Option validation with one message shape for the whole library: a TypeError reading
// ``Expected `name` to be <what>, got <value>`` (docs/configuration.md). Options are checked once,
// when they are given, so that a wrong value fails there and then instead of much later (a refresh
// that "timed out after Infinity ms", a timer that fires at once).

/**
 * The longest delay a timer can wait: `setTimeout` runs a longer one at once (Node warns and uses
 * 1 ms; browsers overflow). Every option in milliseconds is bounded by it.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** How a value appears in a message: `` `-1` ``, `` `"abc"` ``, `an array`, `` `object` ``; only its type when it is a secret. */
export function describeValue(value: unknown, secret = false): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (secret) return `\`${typeof value}\``;
  if (typeof value === 'string') return `\`${JSON.stringify(value).slice(0, 40)}\``;
  if (typeof value === 'number' || typeof value === 'boolean') return `\`${String(value)}\``;
  return `\`${typeof value}\``;
}

/** Throws ``TypeError: Expected `name` to be what, got value`` unless `ok`. `secret`: the value is never printed. */
export function expectOption(ok: boolean, name: string, what: string, value: unknown, secret = false): void {
  if (!ok) throw new TypeError(`Expected \`${name}\` to be ${what}, got ${describeValue(value, secret)}`);
}

/** What a number option must be. Bounds are inclusive unless named `above`. */
export interface NumberRule {
  /** A whole number (a count). */
  integer?: boolean;
  /** The smallest value allowed. */
  min?: number;
  /** Values must be greater than this. */
  above?: number;
  /** The largest value allowed (for milliseconds: {@link MAX_TIMER_MS}). */
  max?: number;
  /** `Infinity` is allowed too (a limit that can be turned off, as p-queue's `concurrency`). */
  orInfinity?: boolean;
}

function phrase(rule: NumberRule): string {
  const bounds = [
    rule.above !== undefined ? `> ${rule.above}` : rule.min !== undefined ? `≥ ${rule.min}` : '',
    rule.max !== undefined ? `≤ ${rule.max}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const noun = rule.integer ? 'an integer' : 'a finite number';
  return `${noun}${bounds ? ` ${bounds}` : ''}${rule.orInfinity ? ', or Infinity' : ''}`;
}

function fits(value: number, rule: NumberRule): boolean {
  if (rule.orInfinity && value === Number.POSITIVE_INFINITY) return true;
  if (!Number.isFinite(value) || (rule.integer && !Number.isInteger(value))) return false;
  if (rule.min !== undefined && value < rule.min) return false;
  if (rule.above !== undefined && value <= rule.above) return false;
  return rule.max === undefined || value <= rule.max;
}

/**
 * Checks a number option and returns it: finite (NaN and Infinity are refused unless
 * `orInfinity`), whole when `integer`, within its bounds.
 *
 * @example
 * ```ts
 * checkNumber(options.refreshTimeoutMs, 'refreshTimeoutMs', { above: 0, max: MAX_TIMER_MS });
 * // TypeError: Expected `refreshTimeoutMs` to be a finite number > 0 and ≤ 2147483647, got `Infinity`
 * ```
 */
export function checkNumber(value: unknown, name: string, rule: NumberRule): number {
  expectOption(typeof value === 'number' && fits(value, rule), name, phrase(rule), value);
  return value as number;
}

/** {@link checkNumber} for a duration in milliseconds: ≥ 0 (or > 0 with `positive`), at most {@link MAX_TIMER_MS}. */
export function checkMs(value: unknown, name: string, positive = false): number {
  return checkNumber(value, name, positive ? { above: 0, max: MAX_TIMER_MS } : { min: 0, max: MAX_TIMER_MS });
}
