/**
 * The BizTalk Deployment Framework settings file, for config-store import and export:
 * <settings><property name="…">value</property>…</settings>. The same document, as text,
 * is what BTDF keeps in one config-store property (AppConfig): read with
 * parseSettingsText, written with writeAppConfigXml.
 */

import { fastXml } from './fast-xml.js';
import { parseXml, type XmlDocument, xmlProblems } from './xml-document.js';
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
  const builder = new (fastXml().XMLBuilder)({
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

/**
 * A settings document held as text (the BTDF layout's AppConfig property), read as a
 * settings file is; `source` names it in messages.
 */
export function parseSettingsText(text: string, source: string): SettingXml[] {
  return readSettingsXml(parseXml(Buffer.from(text, 'utf8'), source));
}

/**
 * The settings document the BizTalk Deployment Framework keeps in AppConfig: what .NET's
 * XmlSerializer writes for its `settings` class into a string (docs/formats.md, "The
 * BizTalk Deployment Framework's layout"): a UTF-16 declaration (a .NET string is UTF-16),
 * the xsi and xsd namespace declarations on <settings>, one <property> a line.
 */
export function writeAppConfigXml(properties: { name: string; value: string }[]): string {
  const lines = properties.map(({ name, value }) =>
    value === ''
      ? `  <property name="${escapeAttribute(name)}" />`
      : `  <property name="${escapeAttribute(name)}">${escapeText(value)}</property>`,
  );
  const open = `<settings xmlns:xsi="${XSI}" xmlns:xsd="${XSD}"`;
  return [
    '<?xml version="1.0" encoding="utf-16"?>',
    ...(lines.length ? [`${open}>`, ...lines, '</settings>'] : [`${open} />`]),
  ].join('\n');
}

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XSD = 'http://www.w3.org/2001/XMLSchema';

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}
