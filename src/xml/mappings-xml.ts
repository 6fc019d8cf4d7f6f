/** The `-createmappings` / `-deletemappings` file: the SDK's UserMapping.xml. */

import { type XmlDocument, xmlProblems } from './xml-document.js';
import { canonicalName, Problems, sameXmlName, textOf } from './xml-reading.js';

const MAPPING_ELEMENTS = ['windowsDomain', 'windowsUserId', 'externalApplication', 'externalUserId'] as const;
type MappingElement = (typeof MAPPING_ELEMENTS)[number];

export interface MappingXml {
  line: number;
  windowsDomain: string;
  windowsUserId: string;
  externalApplication: string;
  externalUserId: string;
}

export function readMappingsXml(doc: XmlDocument): MappingXml[] {
  const problems = new Problems();
  if (!sameXmlName(doc.root.name, 'SSO'))
    problems.add(doc.root.line, `the root element should be <SSO>, not <${doc.root.name}>`);
  const mappings: MappingXml[] = [];
  for (const element of doc.root.children) {
    if (!sameXmlName(element.name, 'mapping')) {
      problems.add(element.line, `unknown element <${element.name}>: expected <mapping>`);
      continue;
    }
    const values: Partial<Record<MappingElement, string>> = {};
    for (const child of element.children) {
      const name = canonicalName(child.name, MAPPING_ELEMENTS) as MappingElement | undefined;
      if (!name) problems.add(child.line, `unknown element <${child.name}> in <mapping>`);
      else if (values[name] !== undefined) problems.add(child.line, `<${name}> is given twice`);
      else values[name] = textOf(child, problems);
    }
    for (const required of ['windowsUserId', 'externalApplication', 'externalUserId'] as const) {
      if (!values[required]) problems.add(element.line, `<mapping> needs <${required}>`);
    }
    mappings.push({
      line: element.line,
      windowsDomain: values.windowsDomain ?? '',
      windowsUserId: values.windowsUserId ?? '',
      externalApplication: values.externalApplication ?? '',
      externalUserId: values.externalUserId ?? '',
    });
  }
  if (!problems.any && mappings.length === 0) problems.add(doc.root.line, 'no <mapping> element');
  if (problems.any) throw xmlProblems(doc.file, problems.list);
  return mappings;
}
