// One jest run, two projects: `unit` (npm test: unit, sim, integration, e2e) and `compat`
// (npm run test:compat: differential tests against Debian's etcd 3.4). TS runs through @swc/jest.
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', decorators: false },
    target: 'es2022',
    transform: { useDefineForClassFields: true },
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
}];
const moduleNameMapper = {
  '^@tsetcd/api$': '<rootDir>/packages/api/src/index.ts',
  '^@tsetcd/api/(.*)$': '<rootDir>/packages/api/src/$1',
  '^@tsetcd/server$': '<rootDir>/packages/server/src/index.ts',
  '^@tsetcd/client$': '<rootDir>/packages/client/src/index.ts',
  '^@tsetcd/recipes$': '<rootDir>/packages/recipes/src/index.ts',
};
const common = {
  rootDir: __dirname,
  transform: { '^.+\\.(t|j)sx?$': swc },
  // ESM-only dependencies that must be transformed for jest's CJS runtime
  transformIgnorePatterns: ['/node_modules/(?!(p-retry|is-network-error)/)'],
  moduleNameMapper,
  testEnvironment: 'node',
};
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/packages/*/src/**/*.test.ts', '<rootDir>/test/{sim,integration,e2e}/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'compat',
      testMatch: ['<rootDir>/test/compat/**/*.test.ts'],
    },
  ],
};
