import type { Config } from 'jest';

// The Chromium tests (`npm run test:browser`): a jest project of their own, apart from the default
// run (which only matches *.spec.ts). One worker: the tabs of a case share one browser.
const config: Config = {
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/spec/browser'],
  testMatch: ['**/*.browser.ts'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true, module: 'commonjs', esModuleInterop: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(p-queue|p-timeout)/)'],
  maxWorkers: 1,
  testTimeout: 300_000,
  reporters: ['default', '<rootDir>/spec/support/summary-reporter.cjs'],
};

export default config;
