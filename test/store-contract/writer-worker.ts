/**
 * A writer on a handle of its own, in its own thread (SQLite's busy wait blocks the thread
 * that waits, so writers of one process would wait on each other's event loop): `rounds`
 * read-modify-write increments of global_info.flags, each in one transaction that
 * pauses between its read and its write, so a missing write lock loses updates.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { openAt, type StoreAddress } from './address.js';

const { address, rounds } = workerData as { address: StoreAddress; rounds: number };

const store = await openAt(address, { busyTimeoutMs: 30_000 });
let errors = 0;
try {
  for (let i = 0; i < rounds; i++) {
    try {
      await store.transaction(async (tx) => {
        const row = await tx.get<{ flags: number }>('SELECT flags FROM global_info WHERE id = 1');
        await new Promise((resolve) => setTimeout(resolve, 2));
        await tx.run('UPDATE global_info SET flags = ? WHERE id = 1', [row!.flags + 1]);
      });
    } catch (error) {
      errors++;
      parentPort!.postMessage({ error: String((error as Error).message) });
    }
  }
} finally {
  await store.close();
}
parentPort!.postMessage({ done: true, errors });
