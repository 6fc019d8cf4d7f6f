/**
 * The `-createapps` / `-updateapps` file: the SDK's AffiliateApplication.xml, with the
 * aliases the Microsoft docs use in their examples (allowLocalGroups, adminGroupSame,
 * ticketTimeout as a flag, userGroup, appAdminGroup, appuserAccount).
 */

import { type XmlDocument, type XmlElement, xmlProblems } from './xml-document.js';
import { canonicalName, Problems, parseYesNo, sameXmlName, textOf } from './xml-reading.js';

export const APP_FLAG_NAMES = [
  'groupApp',
  'configStoreApp',
  'allowTickets',
  'validateTickets',
  'allowLocalAccounts',
  'timeoutTickets',
  'adminAccountSame',
  'enableApp',
  'windowsInitiatedSSO',
  'hostInitiatedSSO',
  'validatePassword',
  'disableCredCache',
] as const;
export type AppFlagName = (typeof APP_FLAG_NAMES)[number];

const FLAG_ALIASES: Record<string, AppFlagName> = {
  allowLocalGroups: 'allowLocalAccounts',
  adminGroupSame: 'adminAccountSame',
  ticketTimeout: 'timeoutTickets',
};

const TEXT_ELEMENTS = ['description', 'contact', 'appUserAccount', 'appAdminAccount', 'windowsAccount'] as const;
type TextElement = (typeof TEXT_ELEMENTS)[number];
const ELEMENT_ALIASES: Record<string, TextElement> = { userGroup: 'appUserAccount', appAdminGroup: 'appAdminAccount' };

export interface FieldXml {
  line: number;
  ordinal: number;
  label: string;
  masked: boolean;
}

export interface ApplicationXml extends Partial<Record<TextElement, string>> {
  line: number;
  name: string;
  fields: FieldXml[];
  flags: Partial<Record<AppFlagName, boolean>>;
}

export function readApplicationsXml(doc: XmlDocument): ApplicationXml[] {
  const problems = new Problems();
  if (!sameXmlName(doc.root.name, 'SSO'))
    problems.add(doc.root.line, `the root element should be <SSO>, not <${doc.root.name}>`);
  const apps: ApplicationXml[] = [];
  const seen = new Map<string, number>();
  for (const element of doc.root.children) {
    if (!sameXmlName(element.name, 'application')) {
      problems.add(element.line, `unknown element <${element.name}>: expected <application>`);
      continue;
    }
    const app = readApplication(element, problems);
    if (!app) continue;
    const key = app.name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) problems.add(app.line, `application "${app.name}" is already defined at line ${first}`);
    else seen.set(key, app.line);
    apps.push(app);
  }
  if (!problems.any && apps.length === 0) problems.add(doc.root.line, 'no <application> element');
  if (problems.any) throw xmlProblems(doc.file, problems.list);
  return apps;
}

function readApplication(element: XmlElement, problems: Problems): ApplicationXml | null {
  const unknownAttrs = Object.keys(element.attrs).filter((a) => a !== 'name');
  for (const attr of unknownAttrs) problems.add(element.line, `unknown attribute ${attr} on <application>`);
  const name = element.attrs.name;
  if (name === undefined || name.trim() === '') {
    problems.add(element.line, '<application> needs a name attribute');
    return null;
  }
  const app: ApplicationXml = { line: element.line, name, fields: [], flags: {} };
  const flagLines = new Map<AppFlagName, number>();
  for (const child of element.children) {
    const textName = canonicalName(child.name, TEXT_ELEMENTS, ELEMENT_ALIASES) as TextElement | undefined;
    if (textName) {
      if (app[textName] !== undefined) problems.add(child.line, `<${textName}> is given twice`);
      app[textName] = textOf(child, problems);
    } else if (sameXmlName(child.name, 'field')) {
      const field = readField(child, problems);
      if (field) app.fields.push(field);
    } else if (sameXmlName(child.name, 'flags')) {
      for (const [attr, value] of Object.entries(child.attrs)) {
        const flag = canonicalName(attr, APP_FLAG_NAMES, FLAG_ALIASES) as AppFlagName | undefined;
        if (!flag) {
          problems.add(child.line, `unknown flag ${attr}`);
          continue;
        }
        const parsed = parseYesNo(value);
        if (parsed === undefined) problems.add(child.line, `flag ${attr}="${value}" should be yes or no`);
        else if (flagLines.has(flag))
          problems.add(child.line, `flag ${flag} is given twice (also at line ${flagLines.get(flag)})`);
        else {
          app.flags[flag] = parsed;
          flagLines.set(flag, child.line);
        }
      }
    } else {
      problems.add(child.line, `unknown element <${child.name}> in application "${name}"`);
    }
  }
  app.fields.forEach((field, index) => {
    if (field.ordinal !== index) {
      problems.add(
        field.line,
        `field "${field.label}" has ordinal ${field.ordinal} but is field number ${index} in the file: list fields in ordinal order from 0`,
      );
    }
  });
  const labels = new Map<string, number>();
  for (const field of app.fields) {
    const key = field.label.toLowerCase();
    if (labels.has(key)) problems.add(field.line, `field label "${field.label}" is used twice`);
    labels.set(key, field.line);
  }
  return app;
}

function readField(element: XmlElement, problems: Problems): FieldXml | null {
  const { ordinal, label, masked, ...rest } = element.attrs;
  for (const attr of Object.keys(rest)) problems.add(element.line, `unknown attribute ${attr} on <field>`);
  if (element.children.length || element.text) problems.add(element.line, '<field> takes only attributes');
  if (ordinal === undefined || !/^(0|[1-9][0-9]{0,2})$/.test(ordinal)) {
    problems.add(element.line, `<field> needs an ordinal (0, 1, 2, …), not "${ordinal ?? ''}"`);
    return null;
  }
  if (label === undefined || label.trim() === '') {
    problems.add(element.line, '<field> needs a label');
    return null;
  }
  const isMasked = masked === undefined ? false : parseYesNo(masked);
  if (isMasked === undefined) {
    problems.add(element.line, `masked="${masked}" should be yes or no`);
    return null;
  }
  return { line: element.line, ordinal: Number(ordinal), label: label.trim(), masked: isMasked };
}
