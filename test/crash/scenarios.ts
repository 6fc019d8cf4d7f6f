/**
 * What the crash trials interrupt: each scenario names the command, how to build its
 * starting world, which homes `ssokit check` must pass on, and what must be true once the
 * interrupted command has been run again.
 */

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { isReadyStaging, isStagingName } from '../../src/core/clone/place.js';
import { appsFile, cloneWorld, largeFile, mappingsFile, PASSWORD_FILE, secretServerWorld } from './world.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

export interface Scenario {
  name: string;
  /** Build the world once and copy it for each trial (false: build it for each trial). */
  template: boolean;
  build(dir: string): Promise<void> | void;
  tool: string;
  args: string[];
  /**
   * Homes `ssokit check` runs on: after the kill it may find no problem the starting world
   * did not have; after the re-run, none at all.
   */
  checkedHomes: string[];
  /** Homes that exist only once the command completed, checked after the re-run. */
  madeHomes?: string[];
  /**
   * Statuses of a re-run that mean "it had already completed" (besides 0), each with the
   * words its message must contain to say so clearly.
   */
  alreadyDone?: { status: number; says: RegExp };
  /** Why a home is neither as it was nor complete after a kill, or null (clone import). */
  allOrNothing?: (dir: string) => string | null;
  /** Why the world is not as the completed command leaves it, or null when it is. */
  verify(dir: string): string | null;
}

function count(dir: string, sql: string): number {
  const db = new Database(join(dir, 'alpha', 'ssodb.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const expectCount = (dir: string, what: string, sql: string, wanted: number) => {
  const n = count(dir, sql);
  return n === wanted ? null : `${what}: ${n}, expected ${wanted}`;
};

const CREDENTIALS = { apps: 20, perApp: 500 };
/** The file `bizsys add` copies in: large enough that the copy is most of the command's time. */
const BIZSYS_FILE_MIB = 64;

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const NEW_APPS = 1500;
const NEW_MAPPINGS = { apps: 20, perApp: 1000 };

export const SCENARIOS: Scenario[] = [
  {
    name: 'secret rotate',
    template: true,
    // Rotation costs one unwrap and wrap per application: many applications, few credentials.
    build: (dir) => secretServerWorld(dir, 1000, 2),
    tool: 'ssokit',
    args: [
      '--home',
      'alpha',
      'secret',
      'rotate',
      '--backup',
      'rotated.bak',
      '--reminder',
      'r',
      '--force',
      '--password-file',
      PASSWORD_FILE,
    ],
    checkedHomes: ['alpha'],
    // 2 when the killed run had not committed; 3 when it had and the re-run rotated again.
    verify: (dir) => {
      const generation = count(dir, "SELECT generation AS n FROM master_secrets WHERE state = 'current'");
      return generation === 2 || generation === 3 ? null : `the current secret has generation ${generation}`;
    },
  },
  {
    name: 'secret reencrypt',
    template: true,
    build: (dir) => secretServerWorld(dir, CREDENTIALS.apps, CREDENTIALS.perApp),
    tool: 'ssokit',
    args: ['--home', 'alpha', 'secret', 'reencrypt'],
    checkedHomes: ['alpha'],
    verify: (dir) =>
      expectCount(
        dir,
        'data keys waiting for re-encryption',
        "SELECT COUNT(*) AS n FROM data_keys WHERE state = 'retiring'",
        0,
      ) ??
      expectCount(
        dir,
        'credentials under the first data keys',
        'SELECT COUNT(*) AS n FROM credentials WHERE data_key_id <= 20',
        0,
      ),
  },
  {
    name: 'secret restore',
    template: true,
    build: async (dir) => {
      await secretServerWorld(dir, CREDENTIALS.apps, 10);
      const { rmSync } = await import('node:fs');
      rmSync(join(dir, 'alpha', 'secret'), { recursive: true });
    },
    tool: 'ssoconfig',
    args: ['-restoreSecret', 'alpha-initial.bak', '--home', 'alpha', '--password-file', PASSWORD_FILE],
    checkedHomes: ['alpha'],
    verify: (dir) => (existsSync(join(dir, 'alpha', 'secret')) ? null : 'no secret folder after the restore'),
  },
  {
    name: 'createapps (large file)',
    template: true,
    build: async (dir) => {
      await secretServerWorld(dir, 1, 1);
      appsFile(dir, NEW_APPS);
    },
    tool: 'ssomanage',
    args: ['-createapps', 'apps.xml', '--home', 'alpha'],
    checkedHomes: ['alpha'],
    alreadyDone: { status: 52, says: /already exists/ },
    verify: (dir) => expectCount(dir, 'applications', 'SELECT COUNT(*) AS n FROM applications', NEW_APPS + 1),
  },
  {
    name: 'createmappings',
    template: true,
    build: async (dir) => {
      await secretServerWorld(dir, NEW_MAPPINGS.apps, 1);
      mappingsFile(dir, NEW_MAPPINGS.apps, NEW_MAPPINGS.perApp);
    },
    tool: 'ssomanage',
    args: ['-createmappings', 'mappings.xml', '--home', 'alpha'],
    checkedHomes: ['alpha'],
    alreadyDone: { status: 52, says: /already exists/ },
    verify: (dir) =>
      expectCount(dir, 'mappings', 'SELECT COUNT(*) AS n FROM mappings', NEW_MAPPINGS.apps * (NEW_MAPPINGS.perApp + 1)),
  },
  {
    name: 'bizsys add (large file)',
    template: true,
    build: async (dir) => {
      await secretServerWorld(dir, 1, 1);
      largeFile(join(dir, 'site.conf'), BIZSYS_FILE_MIB);
    },
    tool: 'ssokit',
    args: [
      '--home',
      'alpha',
      'bizsys',
      'add',
      'shop',
      '--public-url',
      'https://shop.example.com',
      '--path',
      '/shop',
      '--file',
      'web-config=site.conf',
    ],
    checkedHomes: ['alpha'],
    alreadyDone: { status: 52, says: /already exists/ },
    // The business system is absent or whole: never a folder without its definition or its file.
    allOrNothing: (dir) => {
      const shop = join(dir, 'alpha', 'bizsys', 'shop');
      if (!existsSync(shop)) return null;
      const definition = existsSync(join(shop, 'bizsys.json'));
      const file = join(shop, 'files', 'site.conf');
      const whole = existsSync(file) && statSync(file).size === BIZSYS_FILE_MIB << 20;
      return definition && whole
        ? null
        : `bizsys/shop is there without ${definition ? 'its whole file' : 'its definition'}`;
    },
    verify: (dir) => {
      const shop = join(dir, 'alpha', 'bizsys', 'shop');
      if (!existsSync(join(shop, 'bizsys.json'))) return 'bizsys/shop has no definition';
      if (sha256(join(shop, 'files', 'site.conf')) !== sha256(join(dir, 'site.conf')))
        return "bizsys/shop's file differs from the one added";
      const left = readdirSync(join(dir, 'alpha', 'bizsys')).filter((name) => name !== 'shop');
      return left.length ? `the re-run left ${left.join(', ')} beside bizsys/shop` : null;
    },
  },
  ...[false, true].map(
    (destinationExists): Scenario => ({
      name: `clone import (${destinationExists ? 'empty home' : 'no home yet'})`,
      template: false,
      build: (dir) => cloneWorld(dir, destinationExists),
      tool: 'ssocloneaz',
      args: [
        '-c',
        '-f',
        'web1.bundle',
        '--home',
        'web2',
        '--node-name',
        'web2',
        '--keep-bundle',
        '--password-file',
        PASSWORD_FILE,
      ],
      checkedHomes: ['web1'],
      madeHomes: ['web2'],
      alreadyDone: { status: 0, says: /already imported/ },
      allOrNothing: (dir) => {
        const home = join(dir, 'web2');
        const imported = existsSync(join(home, 'node.json'));
        const parts = ['bizsys', 'node.json'].filter((item) => existsSync(join(home, item)));
        if (imported && parts.length === 2) return null;
        if (!imported && parts.length === 0) return null;
        // Killed during the swap: the ready staging folder lets the next import finish it.
        const ready = readdirSync(home).some((name) => isStagingName(name) && isReadyStaging(join(home, name)));
        if (ready) return null;
        return `the destination is half imported: it holds ${parts.join(', ') || 'nothing'} of bizsys, node.json`;
      },
      verify: (dir) => {
        const copied = join(dir, 'web2', 'bizsys', 'shop');
        if (!existsSync(join(dir, 'web2', 'node.json'))) return 'web2 has no node.json';
        const source = readFileSync(join(dir, 'httpd.conf'));
        const files = existsSync(copied)
          ? readFileSync(join(dir, 'web1', 'bizsys', 'shop', 'bizsys.json'), 'utf8') ===
            readFileSync(join(copied, 'bizsys.json'), 'utf8')
          : false;
        return files && source.length > 0 ? null : "web2's business system differs from web1's";
      },
    }),
  ),
];
