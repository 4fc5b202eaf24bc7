// Environment-variable defaults of createNextSchoolClient (docs/configuration.md#environment).
// The main entry also runs in browsers and edge runtimes: `process` is read only where it exists,
// through globalThis, so neither bundlers nor the browser type-check see a Node global.

/** The variables {@link createNextSchoolClient} reads when the matching option is absent. */
export type NextSchoolEnvName = 'NEXTSCHOOL_URL' | 'NEXTSCHOOL_USERNAME' | 'NEXTSCHOOL_PASSWORD';

/** The variable's value, or `undefined` when it is unset, empty, or there is no `process.env`. */
export function readNextSchoolEnv(name: NextSchoolEnvName): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
