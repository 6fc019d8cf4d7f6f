/**
 * The entry point of every ssokit tool, and the only place that ends the process.
 */

import { type CliIo, processIo } from './io.js';
import type { Prompter } from './prompts.js';
import { Runner } from './runner.js';

export type ToolName = 'ssokit' | 'ssoconfig' | 'ssomanage' | 'ssoclient' | 'ssocloneaz';

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
    ssomanage: async () => (await import('./legacy/ssomanage.js')).SSOMANAGE,
    ssoclient: async () => (await import('./legacy/ssoclient.js')).SSOCLIENT,
  } as Record<string, () => Promise<import('./legacy/legacy-program.js').LegacyTool>>;
  return buildLegacyProgram(await table[tool]!(), runner);
}
