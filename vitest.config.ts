import { defineConfig } from 'vitest/config';

/**
 * unit: pure code, colocated `*.test.ts`. integration: real PostgreSQL (one throwaway cluster per run,
 * one database per test file), real processes, the Kubernetes simulator, real OpenClaw.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{schema,server,orchestrator,test,web}/**/*.test.ts'],
          exclude: [
            '**/*.int.test.ts',
            'test/integration/**',
            'test/e2e/**',
            'test/chaos/**',
            '**/node_modules/**',
          ],
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            '**/*.int.test.ts',
            'test/integration/**/*.test.ts',
            'test/e2e/**/*.test.ts',
            'test/chaos/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**'],
          globalSetup: ['test/testkit/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          // Two cores: files share the machine with OpenClaw gateways and PostgreSQL.
          maxWorkers: 2,
        },
      },
    ],
  },
});
