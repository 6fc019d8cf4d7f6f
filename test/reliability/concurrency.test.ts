// Eight administrators at once on one store, with overlapping master secret rotations meanwhile:
// every command succeeds (no SQLITE_BUSY or STORE_BUSY reaches anyone), nothing written is
// lost, and every credential still opens afterwards. The same scenario runs on both engines:
// a node on a SQLite file, and a node made by `init --db URL` on a fresh PostgreSQL database.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';
import { testEnv } from '../helpers/fast-deps.js';
import { freshDatabase, postgresUnavailable, storeUrl, type TestDatabase } from '../helpers/postgres.js';
import { describeNeeding } from '../helpers/requirements.js';
import { tempDir } from '../helpers/temp-dir.js';
import { appXml, mappingXml } from '../helpers/xml.js';

const LANES = 8;
const ROUNDS = 4;

interface Run {
  args: string[];
  status: number;
  stdout: string;
  stderr: string;
}

interface Engine {
  name: string;
  /** The `--db` location of a new store (null: the home's own SQLite file), and how to remove it. */
  store(): Promise<{ location: string | null; remove(): Promise<void> }>;
}

const SQLITE: Engine = {
  name: 'SQLite',
  store: async () => ({ location: null, remove: async () => undefined }),
};

const POSTGRES: Engine = {
  name: 'PostgreSQL',
  async store() {
    const db: TestDatabase = await freshDatabase('concurrency');
    return { location: storeUrl(db), remove: () => db.drop() };
  },
};

function concurrencyScenario(engine: Engine): void {
  let dir: ReturnType<typeof tempDir>;
  let home: string;
  let removeStore: () => Promise<void> = async () => undefined;

  function run(tool: string, args: string[]): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', `${tool}.js`), ...args, '--home', home], {
        cwd: dir.path,
        env: testEnv(),
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('error', reject);
      child.on('close', (status) => resolve({ args: [tool, ...args], status: status ?? -1, stdout, stderr }));
    });
  }

  beforeAll(async () => {
    dir = tempDir();
    home = join(dir.path, 'alpha');
    writeFileSync(join(dir.path, 'pw'), 'rotation-password-1\n', { mode: 0o600 });
    const store = await engine.store();
    removeStore = store.remove;
    const init = await run('ssokit', [
      '--node-name',
      'alpha',
      ...(store.location ? ['--db', store.location] : []),
      'init',
      '--backup',
      join(dir.path, 'alpha-initial.bak'),
      '--reminder',
      'r',
      '--password-file',
      join(dir.path, 'pw'),
    ]);
    if (init.status !== 0) throw new Error(`init exited ${init.status}: ${init.stderr}`);
  }, 60_000);
  afterAll(async () => {
    await removeStore();
    dir?.cleanup();
  });

  /** One administrator: sets credentials, adds to the shared bag, creates mappings, reads back. */
  async function lane(n: number): Promise<Run[]> {
    const runs: Run[] = [];
    const laneDir = join(dir.path, `lane${n}`);
    mkdirSync(laneDir);
    for (let round = 0; round < ROUNDS; round++) {
      const user = `CORP\\u${n}_${round}`;
      const fields = join(laneDir, `fields${round}.json`);
      writeFileSync(fields, JSON.stringify({ 'User ID': `X${n}_${round}`, Password: `pw-${n}-${round}` }));
      runs.push(
        await run('ssokit', [
          'credentials',
          'set',
          user,
          'Shared',
          '--external-user',
          `X${n}_${round}`,
          '--fields-file',
          fields,
        ]),
      );
      runs.push(
        await run('ssokit', ['config-store', 'set', 'Settings', '--property', `lane${n}.round${round}=${round}`]),
      );
      const mappings = join(laneDir, `mappings${round}.xml`);
      writeFileSync(
        mappings,
        mappingXml(
          Array.from({ length: 50 }, (_, k): [string, string, string, string] => [
            'CORP',
            `m${n}_${round}_${k}`,
            'Mapped',
            `E${n}_${round}_${k}`,
          ]),
        ),
      );
      runs.push(await run('ssomanage', ['-createmappings', mappings]));
      runs.push(await run('ssokit', ['credentials', 'get', user, 'Shared', '--reveal', '--json']));
    }
    return runs;
  }

  test(`${LANES} processes setting credentials, creating mappings and reading them, and rotations meanwhile`, async () => {
    const apps = join(dir.path, 'apps.xml');
    writeFileSync(
      apps,
      appXml([{ name: 'Shared' }, { name: 'Mapped' }, { name: 'Settings', flags: 'configStoreApp="yes"', fields: '' }]),
    );
    const setup = await run('ssokit', ['app', 'create', apps]);
    expect(setup.stderr).toBe('');

    // Two pairs of rotations, the two of each pair at once: they must queue, not collide.
    const rotate = (name: string) =>
      run('ssokit', [
        'secret',
        'rotate',
        '--backup',
        join(dir.path, `${name}.bak`),
        '--reminder',
        'r',
        '--password-file',
        join(dir.path, 'pw'),
      ]);
    const rotations = (async () => {
      const runs: Run[] = [];
      for (const i of [1, 2]) {
        await new Promise((r) => setTimeout(r, 300));
        runs.push(...(await Promise.all([rotate(`rotated${i}a`), rotate(`rotated${i}b`)])));
      }
      return runs;
    })();
    const started = performance.now();
    const all = (await Promise.all([...Array.from({ length: LANES }, (_, n) => lane(n)), rotations])).flat();
    const ms = performance.now() - started;

    const failed = all
      .filter((r) => r.status !== 0)
      .map((r) => `${r.args.join(' ')} → ${r.status}: ${r.stderr.trim()}`);
    expect(failed).toEqual([]);
    expect(all.filter((r) => /busy|SQLITE_|SQLSTATE/i.test(r.stderr))).toEqual([]);
    expect(all).toHaveLength(LANES * ROUNDS * 4 + 4);

    // Every read returned what its lane had just written.
    for (const read of all.filter((r) => r.args[1] === 'credentials' && r.args[2] === 'get')) {
      const [, n, round] = /u(\d+)_(\d+)/.exec(read.args[3]!)!;
      expect(JSON.parse(read.stdout).fields.map((f: { value: string }) => f.value)).toEqual([
        `X${n}_${round}`,
        `pw-${n}-${round}`,
      ]);
    }
    // No lost update: the one bag every lane added to holds every property.
    const bag = JSON.parse((await run('ssokit', ['config-store', 'get', 'Settings', '--json'])).stdout) as {
      properties: Record<string, string>;
    };
    expect(Object.keys(bag.properties).length).toBe(LANES * ROUNDS);
    const checked = await run('ssokit', ['check', '--json']);
    expect(checked.status).toBe(0);
    const check = JSON.parse(checked.stdout) as { problems: number; counts: Record<string, number> };
    expect(check.problems).toBe(0);
    expect(check.counts).toMatchObject({ applications: 3, credentials: LANES * ROUNDS, configEntries: 1 });
    expect(check.counts.opened).toBe(3 + LANES * ROUNDS + 1);
    // Four rotations, each from the secret the one before it made; this node holds the
    // current secret (and the previous one), and nothing the store no longer names.
    const status = JSON.parse((await run('ssokit', ['secret', 'status', '--json'])).stdout) as {
      current: { generation: number };
      local: { current: string; previous: string | null; extraFiles: string[] };
    };
    expect(status.current.generation).toBe(5);
    expect(status.local).toMatchObject({ current: 'present', previous: 'present', extraFiles: [] });
    if (process.env.SSOKIT_RELIABILITY_FIGURES === '1') {
      console.log(`${engine.name}: ${all.length} commands, ${failed.length} failed, in ${Math.round(ms)} ms`);
    }
  }, 180_000);
}

describe('eight administrators at once, on SQLite', () => concurrencyScenario(SQLITE));

describeNeeding(postgresUnavailable(), 'the PostgreSQL concurrency run')(
  'eight administrators at once, on PostgreSQL',
  () => concurrencyScenario(POSTGRES),
);
