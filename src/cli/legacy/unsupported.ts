import { SsoError } from '../../errors.js';
import type { LegacyCommand } from './legacy-program.js';

/** An Enterprise SSO option ssokit knows but does not offer, with the reason. */
export function unsupported(name: string, summary: string, reason: string): LegacyCommand {
  return {
    name,
    summary: `${summary} (not supported)`,
    options: (c) => c.allowUnknownOption().allowExcessArguments(),
    load: async () => async () => {
      throw new SsoError('NOT_IMPLEMENTED', `-${name} is not supported by ssokit`, { hint: reason });
    },
  };
}
