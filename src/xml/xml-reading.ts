/**
 * Helpers the typed readers share: names compared case-insensitively (how-tos write
 * <sso> where the SDK writes <SSO>), problems collected rather than thrown one by one.
 */

import type { XmlElement, XmlProblem } from './xml-document.js';

export function sameXmlName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Looks a name up in a table of canonical names and aliases; returns the canonical one. */
export function canonicalName(
  name: string,
  known: readonly string[],
  aliases: Record<string, string> = {},
): string | undefined {
  const lower = name.toLowerCase();
  const direct = known.find((k) => k.toLowerCase() === lower);
  if (direct) return direct;
  const alias = Object.keys(aliases).find((a) => a.toLowerCase() === lower);
  return alias ? aliases[alias] : undefined;
}

export class Problems {
  readonly list: XmlProblem[] = [];

  add(line: number, message: string): void {
    this.list.push({ line, message });
  }

  get any(): boolean {
    return this.list.length > 0;
  }
}

/** yes/no as Enterprise SSO writes them (any case); true/false and on/off are accepted too. */
export function parseYesNo(value: string): boolean | undefined {
  const lower = value.trim().toLowerCase();
  if (['yes', 'true', 'on', '1'].includes(lower)) return true;
  if (['no', 'false', 'off', '0'].includes(lower)) return false;
  return undefined;
}

/** Elements whose text is their value must not have children. */
export function textOf(element: XmlElement, problems: Problems): string {
  if (element.children.length > 0) problems.add(element.line, `<${element.name}> should hold text, not elements`);
  return element.text;
}

/** Every element named `name` anywhere below (and including) `from`, document order. */
export function findAll(from: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const stack = [from];
  while (stack.length) {
    const element = stack.pop()!;
    if (sameXmlName(element.name, name)) found.push(element);
    for (let i = element.children.length - 1; i >= 0; i--) stack.push(element.children[i]!);
  }
  return found;
}
