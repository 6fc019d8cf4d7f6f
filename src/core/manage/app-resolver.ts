/**
 * The applications a file names (mappings to create or delete, credentials to import), found
 * by name case-insensitively, each looked up once per command, and each checked once for the
 * caller's right to administer it.
 */

import { ESSO } from '../../errors.js';
import type { Queryable } from '../../store/store.js';
import { type RoleCheck, requireRole } from '../shared/index.js';
import { type AppRecord, findApp } from './app-model.js';

export class AppResolver {
  readonly #apps = new Map<string, AppRecord | null>();

  /**
   * @param q where to look (the store, or the transaction the command runs in)
   * @param action what the command does, for ACCESS_DENIED: `creating mappings`
   */
  constructor(
    private readonly q: Queryable,
    private readonly check: RoleCheck,
    private readonly action: string,
  ) {}

  /** The application, or null when there is none by that name; ACCESS_DENIED when the caller may not administer it. */
  async get(name: string): Promise<AppRecord | null> {
    const key = name.toLowerCase();
    let app = this.#apps.get(key);
    if (app === undefined) {
      app = await findApp(this.q, name);
      // Checked before it is remembered: a refused application is refused every time.
      if (app) requireRole(this.check, 'app-admin', `${this.action} for application "${app.name}"`, app);
      this.#apps.set(key, app);
    }
    return app;
  }
}

/** The line problem for a name that is not an application, in Enterprise SSO's words. */
export function noSuchApp(name: string): string {
  return `application "${name}": ${ESSO.NO_APP.text}`;
}
