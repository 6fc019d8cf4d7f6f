import { SsoError } from '../../src/errors.js';

/** Awaits work that must fail with an SsoError, and returns that error. */
export async function failure(work: Promise<unknown>): Promise<SsoError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof SsoError))
    throw new Error(`expected an SsoError, got ${error === null ? 'success' : String(error)}`);
  return error;
}
