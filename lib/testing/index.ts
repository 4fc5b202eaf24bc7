// `axios-graphql-refresh/testing`: Node-only helpers for tests and the demo. Re-exports only.

export type { SandboxOptions, SandboxRateLimits, SandboxServer, SandboxStats, SandboxUser } from './sandbox-options';
export { startSandboxServer } from './start-sandbox';
