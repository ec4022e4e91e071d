/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Out of `npm test` until issue 24 is done: its with-quarantine run broke `shard-not-held` at load 4-11
  // on 2 cores, and with the busy-machine timeouts `no-event-lost` once at load 8-11 (the run outlasted its
  // budget; README.md, "Per-key quarantine, known faults"). `npm run test:stuck-key` runs it.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/local/gameday/stuck-key\\.e2e\\.test\\.ts$'],
  // Transpile only, file by file (tsconfig.json sets isolatedModules, which ts-jest 29.4 reads from there):
  // `npm run typecheck` does the type checking once, not every worker again. On a fresh clone the
  // transform is about 13% of the unit tests' CPU; @swc/jest halved that (README.md, Tests), too little
  // for a native dependency.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  // Each stage is synthesized once per run and shared across suites (test/helpers/synthesis-cache.ts).
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/setup/serializers.ts'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
