/**
 * The BizTalk Deployment Framework settings file, for config-store import and export:
 * <settings><property name="…">value</property>…</settings>.
 */

import { XMLBuilder } from 'fast-xml-parser';
import { type XmlDocument, xmlProblems } from './xml-document.js';
import { Problems, sameXmlName, textOf } from './xml-reading.js';

export interface SettingXml {
  line: number;
  name: string;
  value: string;
}

export function readSettingsXml(doc: XmlDocument): SettingXml[] {
  const problems = new Problems();
  if (!sameXmlName(doc.root.name, 'settings'))
    problems.add(doc.root.line, `the root element should be <settings>, not <${doc.root.name}>`);
  const settings: SettingXml[] = [];
  const seen = new Map<string, number>();
  for (const element of doc.root.children) {
    if (!sameXmlName(element.name, 'property')) {
      problems.add(element.line, `unknown element <${element.name}>: expected <property>`);
      continue;
    }
    const name = element.attrs.name?.trim();
    if (!name) {
      problems.add(element.line, '<property> needs a name attribute');
      continue;
    }
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) problems.add(element.line, `property "${name}" is already given at line ${first}`);
    seen.set(name.toLowerCase(), element.line);
    settings.push({ line: element.line, name, value: textOf(element, problems) });
  }
  if (problems.any) throw xmlProblems(doc.file, problems.list);
  return settings;
}

export function writeSettingsXml(properties: { name: string; value: string }[]): string {
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    format: true,
    indentBy: '  ',
    processEntities: true,
  });
  const body = builder.build({
    settings: { property: properties.map((p) => ({ '@name': p.name, '#text': p.value })) },
  }) as string;
  return `<?xml version="1.0" encoding="utf-8"?>\n${body}`;
}
