/**
 * The `-updatedb` file: the SDK's GlobalInfo.xml. The root may be <SSO> or <sso>, and
 * <globalInfo> may sit deeper (the Sysprep sample nests it in <UpdateConfiguration><sso>).
 */

import { type XmlDocument, xmlProblems } from './xml-document.js';
import { canonicalName, findAll, Problems, textOf } from './xml-reading.js';

export const GLOBAL_INFO_ELEMENTS = [
  'secretServer',
  'ssoAdminAccount',
  'ssoAffiliateAdminAccount',
  'auditDeletedApps',
  'auditDeletedMappings',
  'auditCredentialLookups',
  'ticketTimeout',
  'credCacheTimeout',
] as const;
export type GlobalInfoElement = (typeof GLOBAL_INFO_ELEMENTS)[number];

/** Names people reach for (the COM API's and the SQL columns') and what the file calls them. */
const MISTAKEN_NAMES: Record<string, string> = {
  auditappdeletemax: 'auditDeletedApps',
  auditmappingdeletemax: 'auditDeletedMappings',
  auditxplookupmax: 'auditCredentialLookups',
  auditntplookupmax: 'auditCredentialLookups',
  affiliateadminaccount: 'ssoAffiliateAdminAccount',
  ssoaffiliateadmingroup: 'ssoAffiliateAdminAccount',
  ssoadmingroup: 'ssoAdminAccount',
};

export interface GlobalInfoXml {
  file: string;
  line: number;
  values: Partial<Record<GlobalInfoElement, { text: string; line: number }>>;
}

export function readGlobalInfoXml(doc: XmlDocument): GlobalInfoXml {
  const problems = new Problems();
  const found = findAll(doc.root, 'globalInfo');
  if (found.length === 0) {
    const typo = findAll(doc.root, 'globalnfo')[0];
    throw xmlProblems(doc.file, [
      {
        line: typo?.line ?? doc.root.line,
        message: typo ? 'found <globalnfo>: the element is <globalInfo>' : 'no <globalInfo> element',
      },
    ]);
  }
  if (found.length > 1) {
    throw xmlProblems(
      doc.file,
      found.slice(1).map((e) => ({ line: e.line, message: 'a second <globalInfo>: give one' })),
    );
  }
  const globalInfo = found[0]!;
  const values: GlobalInfoXml['values'] = {};
  for (const child of globalInfo.children) {
    const name = canonicalName(child.name, GLOBAL_INFO_ELEMENTS) as GlobalInfoElement | undefined;
    if (!name) {
      const meant = MISTAKEN_NAMES[child.name.toLowerCase()];
      problems.add(child.line, `unknown element <${child.name}>${meant ? `: the file calls it <${meant}>` : ''}`);
      continue;
    }
    if (values[name]) {
      problems.add(child.line, `<${name}> is given twice`);
      continue;
    }
    values[name] = { text: textOf(child, problems), line: child.line };
  }
  if (Object.keys(globalInfo.attrs).length) problems.add(globalInfo.line, '<globalInfo> takes no attributes');
  if (!problems.any && Object.keys(values).length === 0)
    problems.add(globalInfo.line, '<globalInfo> is empty: nothing to update');
  if (problems.any) throw xmlProblems(doc.file, problems.list);
  return { file: doc.file, line: globalInfo.line, values };
}
