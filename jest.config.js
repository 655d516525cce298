// Jest runs the TypeScript sources through SWC (with decorator metadata, which type-graphql and
// TypeORM need). Four tiers, one jest project each, cheapest first (docs/development.md#test-tiers):
//   unit         pure code: no database, no network
//   medium       a copy of a migrated (or loaded) database, real repositories and services; no HTTP,
//                queue or simulator
//   integration  the hub in-process on real PostgreSQL and a real queue, feeds from the simulator
//   e2e          built processes, the CLI, a browser
// `npm test` runs them all; `npm run test:<tier>` one. The tiers with a database share one
// PostgreSQL server chosen in test/support/global-setup.ts (it runs once, only when one of them runs).
const fs = require('node:fs');
const swcConfig = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));

const tier = (name, withDatabase) => ({
  displayName: name,
  testEnvironment: 'node',
  roots: [`<rootDir>/test/${name}`],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcConfig, swcrc: false }] },
  setupFiles: ['reflect-metadata'],
  ...(withDatabase ? { globalSetup: '<rootDir>/test/support/global-setup.ts', globalTeardown: '<rootDir>/test/support/global-teardown.ts' } : {}),
});

/** @type {import('jest').Config} */
module.exports = {
  projects: [tier('unit', false), tier('medium', true), tier('integration', true), tier('e2e', true)],
  testTimeout: 60_000,
  maxWorkers: 2,
  // Longest files first even on a clean checkout, where jest has no durations of its own.
  testSequencer: '<rootDir>/test/support/test-sequencer.cjs',
};
