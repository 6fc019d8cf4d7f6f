/**
 * The CLI as a client of the SSO service, on both engines: the same commands give the same
 * output, exit status and audit rows through the service as without it; through an SSO
 * server's service they work where the node alone cannot decrypt; the files a command
 * writes belong to its caller.
 */

import { statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { runCli } from '../helpers/cli.js';
import { postgresUnavailable } from '../helpers/postgres.js';
import { describeNeeding } from '../helpers/requirements.js';
import { type Engine, type ServiceSystem, seedApplication, serviceSystem } from '../helpers/services.js';
import { tempDir } from '../helpers/temp-dir.js';

jest.setTimeout(120_000);

const me = userInfo().username;

/** Commands whose whole output must be the same either way (tool, then arguments). */
const SAME_EITHER_WAY: [string, string[]][] = [
  ['ssokit', ['app', 'list']],
  ['ssokit', ['--json', 'app', 'list']],
  ['ssokit', ['app', 'show', 'payroll']],
  ['ssokit', ['credentials', 'get', me, 'payroll']],
  ['ssokit', ['--json', 'credentials', 'get', me, 'payroll', '--reveal']],
  ['ssokit', ['mapping', 'list', 'payroll']],
  ['ssokit', ['db', 'show']],
  ['ssokit', ['app', 'show', 'no-such-app']],
  ['ssokit', ['--json', 'app', 'show', 'no-such-app']],
  ['ssokit', ['credentials', 'get', 'someone-else', 'payroll']],
  ['ssomanage', ['-listapps']],
  ['ssomanage', ['-displayapp', 'payroll']],
  ['ssoclient', ['-listapps']],
  ['ssokit', ['app', 'lst']],
];

for (const engine of ['sqlite', 'postgres'] as Engine[]) {
  const describeEngine =
    engine === 'postgres'
      ? describeNeeding(postgresUnavailable(), 'the PostgreSQL CLI-through-service tests')
      : describe;

  describeEngine(`the CLI through the service on ${engine}`, () => {
    let dir: ReturnType<typeof tempDir>;
    let system: ServiceSystem;
    const direct: Record<string, ReturnType<typeof runCli>> = {};

    beforeAll(async () => {
      dir = tempDir();
      system = await serviceSystem(dir.path, engine, ['mss', 'sso1']);
      seedApplication(system, 'mss', 'payroll', me);
      // Without a service: the CLI works on the store itself.
      for (const [tool, args] of SAME_EITHER_WAY)
        direct[`${tool} ${args.join(' ')}`] = cliAt(system, 'mss', tool, args);
      await system.start('mss');
      await system.start('sso1');
    });
    afterAll(async () => {
      await system?.stopAll();
      dir?.cleanup();
    });

    test.each(SAME_EITHER_WAY)('%s %j: the same through the service as without it', (tool, args) => {
      const before = direct[`${tool} ${args.join(' ')}`]!;
      for (const node of ['mss', 'sso1']) {
        const through = cliAt(system, node, tool, args);
        expect({ node, ...through }).toEqual({ node, ...before });
      }
    });

    test('an SSO server decrypts only through its service', async () => {
      const through = cliAt(system, 'sso1', 'ssokit', ['credentials', 'get', me, 'payroll']);
      expect(through.status).toBe(0);
      await system.kill('sso1', 'SIGTERM');
      const alone = cliAt(system, 'sso1', 'ssokit', ['credentials', 'get', me, 'payroll']);
      expect(alone.status).toBe(40);
      await system.start('sso1');
    });

    test('a write through an SSO server is audited as the same write made directly', async () => {
      const xml = (name: string) => {
        const path = join(system.dir, `${name}.xml`);
        writeFileSync(
          path,
          `<?xml version="1.0"?>\n<SSO>\n  <application name="${name}">\n    <description>d</description>\n    <contact>c@example.com</contact>\n    <appUserAccount>${me}</appUserAccount>\n    <appAdminAccount>${me}</appAdminAccount>\n    <field ordinal="0" label="User ID" masked="no" />\n    <flags groupApp="no" enableApp="yes" allowLocalAccounts="yes" />\n  </application>\n</SSO>\n`,
        );
        return path;
      };
      const made = cliAt(system, 'sso1', 'ssokit', ['app', 'create', xml('through')]);
      expect(made).toMatchObject({ status: 0, stdout: expect.stringContaining('through') });
      const audit = JSON.parse(cliAt(system, 'mss', 'ssokit', ['--json', 'audit', 'list', '--limit', '5']).stdout) as {
        osUser: string;
        node: string;
        operation: string;
        result: string;
      }[];
      expect(audit.at(-1)).toMatchObject({ osUser: me, node: 'sso1', operation: 'create-apps', result: 'success' });
    });

    test('a backup written through the service belongs to its caller; an existing file is refused', () => {
      const file = join(system.dir, 'through.bak');
      const args = ['secret', 'backup', file, '--password-file', join(system.dir, 'password'), '--reminder', 'r'];
      expect(cliAt(system, 'mss', 'ssokit', args).status).toBe(0);
      const stat = statSync(file);
      expect(stat.uid).toBe(process.getuid?.());
      expect(stat.mode & 0o777).toBe(0o600);
      const again = cliAt(system, 'mss', 'ssokit', args);
      expect(again.status).toBe(11);
      expect(again.stderr).toMatch(/already exists/);
    });

    test("the service runs only as the node's service account, when node.json names one", () => {
      const home = system.nodes.sso1!.home;
      expect(runCli('ssokit', ['--home', home, 'set', 'node.service-account=nobody']).status).toBe(0);
      const refused = runCli('ssokit', ['--home', home, 'service', 'run', '--listen', '127.0.0.1:0']);
      expect(refused.status).toBe(50);
      expect(refused.stderr).toMatch(/runs as its service account 'nobody', not as/);
      expect(runCli('ssokit', ['--home', home, 'set', 'node.service-account=']).status).toBe(0);
    });

    test('--service SOCKET and SSOKIT_SERVICE name the service; the service keeps its own home', () => {
      const socket = system.nodes.sso1!.socket;
      const before = cliAt(system, 'sso1', 'ssokit', ['app', 'list']);
      expect(runCli('ssokit', ['--service', socket, 'app', 'list'])).toEqual(before);
      expect(runCli('ssokit', ['app', 'list'], { env: { SSOKIT_SERVICE: socket } })).toEqual(before);
      // --home found the socket; inside, the service answers for its own home, not the one named.
      const named = runCli('ssokit', ['--service', socket, '--home', system.nodes.mss!.home, 'get', 'node.name']);
      expect(named).toMatchObject({ status: 0, stdout: 'node.name=sso1\n' });
    });

    test('--service naming a socket where no service answers is exit 35', () => {
      const result = runCli('ssokit', ['--service', join(system.dir, 'none.sock'), 'app', 'list']);
      expect(result.status).toBe(35);
      expect(result.stderr).toMatch(/cannot reach the SSO service/);
    });
  });
}

function cliAt(system: ServiceSystem, node: string, tool: string, args: string[]): ReturnType<typeof runCli> {
  return runCli(tool, ['--home', system.nodes[node]!.home, ...args]);
}
