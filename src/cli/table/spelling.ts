/**
 * Spells the commands a hint names in the syntax the user typed: `ssoconfig
 * -restoreSecret FILE` for someone who ran ssoconfig, `ssokit secret restore FILE` for
 * someone who ran ssokit. A command with no original spelling is given in the modern one.
 */

import type { CommandRef, OptionRef, RemedySpeller } from '../../remedy.js';
import { longName, type OriginalTool, type ToolName } from './define.js';
import { ALL_COMMANDS, modernCommand } from './registry.js';

const ORIGINAL_ORDER: readonly OriginalTool[] = ['ssoconfig', 'ssomanage', 'ssoclient', 'ssocloneaz'];

const spellOption = (ref: OptionRef) => (ref.value === undefined ? `--${ref.name}` : `--${ref.name} ${ref.value}`);

export function tableSpeller(tool: ToolName): RemedySpeller {
  return { command: (ref) => spellCommand(ref, tool), option: spellOption };
}

function spellCommand(ref: CommandRef, tool: ToolName): string {
  const modern = modernCommand(ref.name);
  if (!modern) return ['ssokit', ref.name, ...ref.args.map(spellPart)].join(' ');
  // The reference's values by key: bare values fill the modern command's arguments in order.
  const positional = ref.args.filter((a): a is string => typeof a === 'string');
  const options = ref.args.filter((a): a is OptionRef => typeof a !== 'string');
  const byKey = new Map<string, string | undefined>();
  modern.args.forEach((def, i) => {
    if (positional[i] !== undefined) byKey.set(def.key, positional[i]);
  });
  for (const option of options) {
    const def = modern.options.find((o) => longName(o) === option.name);
    if (def) byKey.set(def.key, option.value);
  }
  if (tool !== 'ssokit') {
    const original = originalSpelling(ref.name, tool);
    if (original) {
      const words = [`${original.tool} -${original.name}`];
      const used = new Set<string>();
      for (const def of original.def.args) {
        if (!byKey.has(def.key)) continue;
        used.add(def.key);
        // A switch in the modern spelling is a word in the original one: `--all` → `all`.
        words.push(byKey.get(def.key) ?? def.key);
      }
      for (const def of original.def.options) {
        if (!byKey.has(def.key) || used.has(def.key)) continue;
        const value = byKey.get(def.key);
        words.push(value === undefined ? `--${longName(def)}` : `--${longName(def)} ${value}`);
      }
      // Options the modern command does not declare are global ones: both syntaxes take them.
      const global = options.filter((o) => !modern.options.some((def) => longName(def) === o.name));
      return [...words, ...global.map(spellOption)].join(' ');
    }
  }
  return ['ssokit', ref.name, ...positional, ...options.map(spellOption)].join(' ');
}

function spellPart(part: string | OptionRef): string {
  return typeof part === 'string' ? part : spellOption(part);
}

/** The original spelling of a modern command: in the tool in use if it has one, else in another. */
function originalSpelling(name: string, tool: OriginalTool) {
  const candidates = ALL_COMMANDS.filter((def) => def.name === name || def.sameAs === name);
  for (const wanted of [tool, ...ORIGINAL_ORDER.filter((t) => t !== tool)]) {
    for (const def of candidates) {
      const original = def.original.find((o) => o.tool === wanted);
      if (original) return { tool: original.tool, name: original.name, def };
    }
  }
  return undefined;
}
