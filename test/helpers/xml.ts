import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes an XML file for a test and returns its path. */
export function xmlFile(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

export function appXml(apps: { name: string; extra?: string; flags?: string; fields?: string }[]): string {
  const body = apps
    .map(
      (a) => `  <application name="${a.name}">
    <description>${a.name} description</description>
    <contact>ops@example.com</contact>
    ${a.extra ?? '<appUserAccount>CORP\\AppUsers</appUserAccount>\n    <appAdminAccount>appadmins</appAdminAccount>'}
    ${a.fields ?? '<field ordinal="0" label="User ID" masked="no" />\n    <field ordinal="1" label="Password" masked="yes" />'}
    <flags ${a.flags ?? 'enableApp="yes"'} />
  </application>`,
    )
    .join('\n');
  return `<?xml version="1.0"?>\n<SSO>\n${body}\n</SSO>\n`;
}

export function mappingXml(mappings: [domain: string, user: string, app: string, external: string][]): string {
  const body = mappings
    .map(
      ([domain, user, app, external]) =>
        `  <mapping>\n    <windowsDomain>${domain}</windowsDomain>\n    <windowsUserId>${user}</windowsUserId>\n    <externalApplication>${app}</externalApplication>\n    <externalUserId>${external}</externalUserId>\n  </mapping>`,
    )
    .join('\n');
  return `<?xml version="1.0"?>\n<SSO>\n${body}\n</SSO>\n`;
}
