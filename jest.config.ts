import type { Config } from 'jest';

// Packages that ship ESM only, transpiled by ts-jest for CommonJS jest (none today; kept for the next).
const esmOnly: string[] = ['p-queue', 'p-timeout'];

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true, module: 'commonjs', esModuleInterop: true } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  testTimeout: 20_000,
  reporters: ['default', '<rootDir>/spec/support/summary-reporter.cjs'],
  moduleNameMapper: {
    // Examples under docs/ require the package by name, as users do: resolve it to the sources.
    '^axios-graphql-refresh$': '<rootDir>/lib/index.ts',
    '^axios-graphql-refresh/nextschool$': '<rootDir>/lib/nextschool/index.ts',
    '^axios-graphql-refresh/testing$': '<rootDir>/lib/testing/index.ts',
    // `AXIOS_MODULE=/path/to/axios npx jest` runs the suite against another axios (CI: 0.27.2).
    ...(process.env.AXIOS_MODULE ? { '^axios$': process.env.AXIOS_MODULE } : {}),
    // `IOREDIS_MODULE=/path/to/ioredis` runs the Redis tests against another ioredis (CI: 6.x).
    ...(process.env.IOREDIS_MODULE ? { '^ioredis$': process.env.IOREDIS_MODULE } : {}),
  },
};

export default config;
