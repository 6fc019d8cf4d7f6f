// Every runbook of docs/operations.md, run exactly as written (see test/helpers/runbook.ts).
import { spawnSync } from 'node:child_process';
import { jest } from '@jest/globals';
import { freshDatabase, postgresUnavailable, storeUrl, type TestDatabase } from '../helpers/postgres.js';
import { readRunbook, runbookWorld, runStep } from '../helpers/runbook.js';
import { tempDir } from '../helpers/temp-dir.js';

const RUNBOOKS: [number, string][] = [
  [1, 'the first server'],
  [2, 'move the master secret server'],
  [3, 'cluster the master secret server and fail over'],
  [4, 'master secret server lost, backup available'],
  [5, 'master secret lost, no backup'],
  [6, 'scale out a business server behind a load balancer'],
  [7, 'rotate the master secret on a schedule'],
  [8, 'back up and restore the credential store'],
  [9, 'move the store to PostgreSQL'],
  [10, 'the master secret server failed, no cluster'],
  [11, 'move the master secret server to a new machine, without an outage'],
];

/** Runbooks that need a PostgreSQL server: each gets an empty database as $PGSTORE. */
const ON_POSTGRES = new Set([9]);

jest.setTimeout(180_000);

describe('runbooks in docs/operations.md', () => {
  test.each(RUNBOOKS)('runbook %i: %s', async (number) => {
    const steps = readRunbook(number);
    expect(steps.length).toBeGreaterThan(2);
    const dir = tempDir();
    let database: TestDatabase | undefined;
    try {
      const world = runbookWorld(dir.path);
      if (ON_POSTGRES.has(number)) {
        const why = postgresUnavailable();
        if (why) throw new Error(`runbook ${number} needs PostgreSQL: ${why}`);
        database = await freshDatabase(`runbook${number}`);
        world.env.PGSTORE = storeUrl(database);
      }
      for (const step of steps) {
        const outcome = runStep(world, step);
        const context = `\n$ ${step.command}\n${outcome.output}`;
        expect({ status: outcome.status, missing: outcome.missing, context }).toEqual({
          status: step.expectedStatus,
          missing: [],
          context,
        });
        // A runbook that leaves a secret-bearing file readable by others teaches that habit.
        expect(outcome.output).not.toMatch(/group or others can read/);
      }
    } finally {
      // The services a runbook started in the background (their command lines name its homes).
      spawnSync('pkill', ['-KILL', '-f', dir.path]);
      await database?.drop();
      dir.cleanup();
    }
  });
});
