/** Ctrl-C and SIGTERM for long commands that stop cleanly between two batches. */

/** Runs `work` with a signal that SIGINT and SIGTERM abort; the handlers go when it ends. */
export async function untilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
