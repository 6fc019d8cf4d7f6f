// Jest runs the compiled tests under native ESM (node --experimental-vm-modules):
// `npm test` builds src/ and test/ with tsc into dist/ first, so the tests exercise
// exactly the JavaScript that ships.
export default {
  testEnvironment: 'node',
  transform: {},
  roots: ['<rootDir>/dist/test'],
  testMatch: ['**/*.test.js'],
  testTimeout: 60000,
  maxWorkers: 2,
};
