/**
 * The store as the service holds it for all its requests. PostgreSQL: one pool, whose
 * transactions run side by side. SQLite has one connection per handle, where a read made
 * while another request's transaction is open would see that transaction's half-done rows,
 * and a second transaction is refused: so the service keeps two handles — reads on one,
 * transactions on the other, one after another.
 */

import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';

export async function openServiceStore(
  location: string,
  options: { busyTimeoutMs: number; password?: string | undefined },
): Promise<Store> {
  const writer = await openStore(location, options);
  if (writer.kind !== 'sqlite') return writer;
  const reader = await openStore(location, options);
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  };
  return new Proxy(writer, {
    get(target, property, receiver) {
      if (property === 'transaction' || property === 'run' || property === 'insert' || property === 'runMany') {
        // A write outside a transaction is a transaction of its own: it waits its turn too.
        const method = Reflect.get(target, property) as (...args: unknown[]) => Promise<unknown>;
        return (...args: unknown[]) => inTurn(() => method.apply(target, args));
      }
      if (property === 'close')
        return async () => {
          await queue;
          await reader.close();
          await target.close();
        };
      if (property === 'all' || property === 'get' || property === 'values' || property === 'snapshot') {
        const method = Reflect.get(reader, property) as (...args: unknown[]) => unknown;
        return method.bind(reader);
      }
      return Reflect.get(target, property, receiver);
    },
  });
}
