import { checkSandboxOptions, type SandboxOptions, type SandboxServer } from './sandbox-options';

// The public entry point of the sandbox. The server itself needs the optional peer `graphql`, loaded
// here on first use so that a missing peer is reported by name instead of a raw ERR_MODULE_NOT_FOUND
// (docs/testing.md); a static import could not be caught, and top-level await would break the CJS build.

const PEER_MESSAGE =
  'axios-graphql-refresh/testing needs the optional peer dependency "graphql" (16.x), which is not installed. ' +
  'Install it with: npm install --save-dev graphql@16';

/** Whether `error` says that the `graphql` package itself could not be found (ESM or CommonJS wording). */
function isGraphQLMissing(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && /['"]graphql['"]/.test(String(message));
}

/**
 * Loads the sandbox's implementation; rejects with a clear error naming the missing peer dependency
 * when `graphql` is not installed.
 *
 * @example
 * ```ts
 * const { createSandboxServer } = await loadSandbox();
 * ```
 */
export async function loadSandbox(): Promise<typeof import('./sandbox-server')> {
  try {
    return await import('./sandbox-server');
  } catch (error) {
    if (isGraphQLMissing(error)) throw new Error(PEER_MESSAGE, { cause: error });
    throw error;
  }
}

/**
 * Starts a local NextSchool-compatible GraphQL server: the documented schema (`login`,
 * `refreshToken`, `logout`, `students`, `student`, `teachers`, `teacher`, and the care module:
 * home visits, adviser screening, SDQ, EQ) with Thai sample data, and the documented behaviour — `UNAUTHENTICATED` at HTTP 200 with `locations`/`path`, "Invalid
 * credentials", "Invalid or expired refresh token", `FORBIDDEN` for a user without a school, and the
 * three rate-limit layers. CORS is answered by default, so a web app can call it. For your own tests,
 * the demo, and trying things offline.
 *
 * Requires the optional peer dependency `graphql` (16.x); without it, this rejects with an error saying
 * how to install it.
 *
 * @example
 * ```ts
 * import { startSandboxServer } from 'axios-graphql-refresh/testing';
 * import { createNextSchoolClient } from 'axios-graphql-refresh/nextschool';
 *
 * const sandbox = await startSandboxServer({ accessTtlMs: 2_000, rateLimits: false });
 * const ns = createNextSchoolClient({ url: sandbox.url, username: sandbox.username, password: sandbox.password });
 * console.log(await ns.students({ limit: 3 }));
 * await sandbox.close();
 * ```
 */
export async function startSandboxServer(options: SandboxOptions = {}): Promise<SandboxServer> {
  checkSandboxOptions(options);
  const { createSandboxServer } = await loadSandbox();
  return createSandboxServer(options);
}
