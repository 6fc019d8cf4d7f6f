/**
 * Stores for the bench, built with the commands' own core functions: applications from
 * generated XML, credentials through the JSON Lines import.
 */

import { join } from 'node:path';
import { createApplications } from '../src/core/manage/apps.js';
import { importCredentials } from '../src/core/manage/credentials-import.js';
import { loadNode, openNodeStore, type StoreContext } from '../src/core/shared/context.js';
import { type Deps, productionDeps } from '../src/core/shared/deps.js';
import { initSystem } from '../src/core/system/init.js';
import { homePaths } from '../src/node/home.js';
import { currentCaller } from '../src/node/os-identity.js';
import { readApplicationsXml } from '../src/xml/applications-xml.js';
import { parseXml } from '../src/xml/xml-document.js';

/** Production dependencies with scrypt at its floor, so store work is what gets timed. */
export function benchDeps(): Deps {
  const kdf = { log2N: 10, r: 8, p: 1 };
  return productionDeps({ backupKdf: kdf, bundleKdf: kdf });
}

export const BENCH_PASSWORD = 'bench-password-1';

/** A new system in `dir/name`; its store is the home's SQLite file unless `storePath` names one (a postgres:// URL). */
export async function newBenchSystem(dir: string, name: string, storePath?: string): Promise<StoreContext> {
  const paths = homePaths(join(dir, name));
  const caller = currentCaller();
  await initSystem({
    paths,
    deps: benchDeps(),
    caller,
    nodeName: name,
    clusterNames: [],
    storePath: storePath ?? paths.defaultStore,
    ssoAdminAccount: caller.user,
    affiliateAdminAccount: caller.user,
    backup: { path: join(dir, `${name}.bak`), password: BENCH_PASSWORD, reminder: '', overwrite: true },
  });
  return reopenBench(dir, name);
}

export async function reopenBench(dir: string, name: string): Promise<StoreContext> {
  return openNodeStore(
    await loadNode({ paths: homePaths(join(dir, name)), deps: benchDeps(), caller: currentCaller() }),
  );
}

export function appsXml(count: number, prefix = 'BenchApp'): string {
  const apps: string[] = [];
  for (let a = 0; a < count; a++) {
    apps.push(`  <application name="${prefix}${a}">
    <description>bench application ${a}</description>
    <contact>bench@example.com</contact>
    <appUserAccount>CORP\\BenchUsers</appUserAccount>
    <appAdminAccount>benchadmins</appAdminAccount>
    <field ordinal="0" label="User ID" masked="no" />
    <field ordinal="1" label="Password" masked="yes" />
    <flags enableApp="yes" />
  </application>`);
  }
  return `<?xml version="1.0"?>\n<SSO>\n${apps.join('\n')}\n</SSO>\n`;
}

export function mappingsXml(apps: number, perApp: number, prefix = 'BenchApp'): string {
  const parts: string[] = ['<?xml version="1.0"?>\n<SSO>\n'];
  for (let a = 0; a < apps; a++) {
    for (let u = 0; u < perApp; u++) {
      parts.push(
        `  <mapping>\n    <windowsDomain>CORP</windowsDomain>\n    <windowsUserId>user${u}</windowsUserId>\n` +
          `    <externalApplication>${prefix}${a}</externalApplication>\n    <externalUserId>X${a}-${u}</externalUserId>\n  </mapping>\n`,
      );
    }
  }
  parts.push('</SSO>\n');
  return parts.join('');
}

/** JSON Lines for `perApp` new users in each of `apps` applications. */
export function credentialLines(apps: number, perApp: number, prefix = 'BenchApp'): string {
  const lines: string[] = [];
  for (let a = 0; a < apps; a++) {
    for (let u = 0; u < perApp; u++) {
      lines.push(
        JSON.stringify({
          user: `CORP\\imported${u}`,
          app: `${prefix}${a}`,
          externalUser: `I${a}-${u}`,
          fields: { 'User ID': `I${a}-${u}`, Password: `pw-${a}-${u}` },
        }),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `apps` applications sharing `credentials` credentials, made by the real create and import. */
export async function seedCredentials(ctx: StoreContext, apps: number, credentials: number): Promise<void> {
  await createApplications(ctx, 'bench.xml', readApplicationsXml(parseXml(Buffer.from(appsXml(apps)), 'bench.xml')));
  await importCredentials(ctx, 'bench.jsonl', credentialLines(apps, credentials / apps));
}
