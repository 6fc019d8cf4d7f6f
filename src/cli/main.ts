/**
 * The entry point of every ssokit tool, and the only place that ends the process.
 */

import { SsoError } from '../errors.js';
import { processIo, type CliIo } from './io.js';
import type { Prompter } from './prompts.js';
import { Runner } from './runner.js';

export type ToolName = 'ssokit' | 'ssoconfig' | 'ssomanage' | 'ssoclient' | 'ssocloneaz';

/** Tools whose work has not landed yet: they exist and say so. */
const PENDING: Partial<Record<ToolName, string>> = {
  ssomanage: 'global info, applications and mappings arrive with the ssomanage work',
  ssoclient: 'arrives with the ssomanage work',
};

export async function main(tool: ToolName): Promise<never> {
  const status = await run(tool, process.argv.slice(2), processIo());
  process.exit(status);
}

/** Runs one invocation and returns its exit status; never throws. */
export async function run(tool: ToolName, argv: readonly string[], io: CliIo, prompter?: Prompter): Promise<number> {
  const runner = new Runner(io, tool, tool === 'ssokit' ? 'modern' : 'legacy', argv, prompter);
  try {
    if (tool === 'ssokit') {
      const { buildModernProgram } = await import('./modern.js');
      await buildModernProgram(runner).parseAsync([...argv], { from: 'user' });
    } else {
      const pending = PENDING[tool];
      if (pending) throw new SsoError('NOT_IMPLEMENTED', `${tool} is not built yet`, { hint: pending });
      const parsed = await legacyProgram(tool, runner);
      if (parsed.kind === 'help') return parsed.status;
      await parsed.program.parseAsync(parsed.argv, { from: 'user' });
    }
    await runner.afterSuccess();
    return 0;
  } catch (error) {
    return runner.fail(error);
  } finally {
    await runner.close();
  }
}

async function legacyProgram(tool: Exclude<ToolName, 'ssokit'>, runner: Runner) {
  const { buildLegacyProgram } = await import('./legacy/legacy-program.js');
  const table = {
    ssoconfig: async () => (await import('./legacy/ssoconfig.js')).SSOCONFIG,
    ssocloneaz: async () => (await import('./legacy/ssocloneaz.js')).SSOCLONEAZ,
  } as Record<string, () => Promise<import('./legacy/legacy-program.js').LegacyTool>>;
  return buildLegacyProgram(await table[tool]!(), runner);
}
