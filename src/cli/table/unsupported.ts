import { SsoError } from '../../errors.js';
import type { Advice } from '../../remedy.js';
import { type CommandDef, defineCommand, type OriginalTool } from './define.js';

/** An original option ssokit knows but does not offer, with the reason and what to do instead. */
export function unsupported(tools: readonly OriginalTool[], name: string, summary: string, reason: Advice): CommandDef {
  return defineCommand({
    original: tools.map((tool) => ({ tool, name })),
    summary: `${summary} (not supported)`,
    args: [],
    options: [],
    unsupported: true,
    handler: async () => async () => {
      throw new SsoError('NOT_IMPLEMENTED', `-${name} is not supported by ssokit`, { hint: reason });
    },
  });
}
