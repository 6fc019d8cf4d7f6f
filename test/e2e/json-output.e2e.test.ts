// docs/json.md is the contract of --json, and this test holds every command to it: each
// command of the table, in each of its spellings, has an example there, and prints a
// document of that example's shape.
//
// docs/json.md marks each example: a line `<!-- json: SPELLING | SPELLING …; nullable: KEY, …;
// map: KEY -->` right above its ```json block (`json-error:` for an error document on stderr).
// A spelling is the command as typed, `ssokit app enable` or `ssomanage -enableapp`, maybe
// followed by words or a (note) that tell two documents of one command apart.
//
// The rule a document is held to, its shape (values are never compared: they are examples):
//  1. it has the example's JSON type: null, boolean, number, string, array or object;
//  2. an object has exactly the example's keys, no more and no fewer, each held to this rule;
//  3. every element of an array has the shape of the example's first element, and so do the
//     example's other elements; an example's empty array means the array is always empty;
//  4. a key named after `nullable:` (at any depth) may also be null; anywhere else, an example
//     null means the value is always null;
//  5. an object named after `map:` (`.` for the document itself) has names for keys, any
//     number of them, and every value has the shape of the example's first value.
// On success stdout is exactly one JSON document. On failure stdout is empty (except for
// `ssokit check`, which still prints its report) and the last line of stderr is the error
// document; the lines before it are text (warnings, notes), never JSON.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { ALL_COMMANDS } from '../../src/cli/table/registry.js';
import { type GroupMember, MemoryState, SsoRuntime, StoreState } from '../../src/core/sso/index.js';
import { openStore } from '../../src/store/open-store.js';
import { type CliResult, REPO_ROOT, runCli } from '../helpers/cli.js';
import { testEnv } from '../helpers/fast-deps.js';
import { freshDatabase, postgresUnavailable, storeUrl, type TestDatabase } from '../helpers/postgres.js';
import { fixture } from '../helpers/system.js';
import { tempDir } from '../helpers/temp-dir.js';
import { appXml, mappingXml, xmlFile } from '../helpers/xml.js';

// ── the examples in docs/json.md ────────────────────────────────────────────────────────

interface Example {
  kind: 'json' | 'json-error';
  spellings: string[];
  nullable: ReadonlySet<string>;
  maps: ReadonlySet<string>;
  value: unknown;
  line: number;
}

const DOC = 'docs/json.md';

function readExamples(text: string): Example[] {
  const lines = text.split('\n');
  const examples: Example[] = [];
  const problems: string[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '```json' && !/^<!-- json(-error)?: /.test(lines[i - 1]?.trim() ?? '')) {
      problems.push(`${DOC}:${i + 1}: a \`\`\`json block without a marker line above it`);
    }
    const marker = /^<!-- (json|json-error): (.*) -->$/.exec(line.trim());
    if (!marker) return;
    if (lines[i + 1]?.trim() !== '```json') {
      problems.push(`${DOC}:${i + 1}: a marker must be followed by a \`\`\`json block`);
      return;
    }
    let end = i + 2;
    while (end < lines.length && lines[end]!.trim() !== '```') end++;
    const [names = '', ...options] = marker[2]!.split(';');
    const option = (key: string) =>
      new Set(
        options
          .map((o) => o.trim())
          .filter((o) => o.startsWith(`${key}:`))
          .flatMap((o) =>
            o
              .slice(key.length + 1)
              .split(',')
              .map((k) => k.trim()),
          )
          .filter(Boolean),
      );
    for (const o of options) {
      if (!/^\s*(nullable|map):/.test(o)) problems.push(`${DOC}:${i + 1}: unknown marker option "${o.trim()}"`);
    }
    let value: unknown;
    try {
      value = JSON.parse(lines.slice(i + 2, end).join('\n'));
    } catch (error) {
      problems.push(`${DOC}:${i + 3}: the example is not JSON: ${(error as Error).message}`);
      return;
    }
    examples.push({
      kind: marker[1] as Example['kind'],
      spellings: names
        .split('|')
        .map((s) => s.trim())
        .filter(Boolean),
      nullable: option('nullable'),
      maps: option('map'),
      value,
      line: i + 1,
    });
  });
  if (problems.length) throw new Error(problems.join('\n'));
  return examples;
}

const EXAMPLES = readExamples(readFileSync(join(REPO_ROOT, DOC), 'utf8'));
const BY_SPELLING = new Map(EXAMPLES.flatMap((e) => e.spellings.map((s) => [s, e] as const)));
/** The first error example is the error document's; every error document has its shape. */
const ERROR_EXAMPLE = EXAMPLES.find((e) => e.kind === 'json-error');

// ── spellings and the command table ────────────────────────────────────────────────────

type Tool = 'ssokit' | 'ssoconfig' | 'ssomanage' | 'ssoclient' | 'ssocloneaz';

/** A command's spellings as the table has them: `ssokit app enable`, `ssomanage -enableapp`. */
function spellingsOf(def: (typeof ALL_COMMANDS)[number]): string[] {
  return [...(def.name ? [`ssokit ${def.name}`] : []), ...def.original.map((o) => `${o.tool} -${o.name}`)];
}

/** The table's spelling a documented spelling begins with (the longest, for `clone export`). */
function tableSpelling(spelling: string): string | undefined {
  const words = spelling
    .replace(/\(.*\)\s*$/, '')
    .trim()
    .split(/\s+/);
  const all = ALL_COMMANDS.flatMap(spellingsOf).filter((s) => {
    const own = s.split(' ');
    return own.every((w, i) => words[i] === w);
  });
  return all.sort((a, b) => b.length - a.length)[0];
}

// ── the shape rule ─────────────────────────────────────────────────────────────────────

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

interface Rules {
  nullable: ReadonlySet<string>;
  maps: ReadonlySet<string>;
}

/** Where `actual` differs in shape from `example`, as `$.path: what` lines; none when it matches. */
function shapeProblems(example: unknown, actual: unknown, rules: Rules, path = '$', key = '.'): string[] {
  if (actual === null && rules.nullable.has(key)) return [];
  const expected = typeOf(example);
  const found = typeOf(actual);
  if (expected !== found) return [`${path}: ${found} where the example has ${expected}`];
  if (Array.isArray(example)) {
    if (example.length === 0) return (actual as unknown[]).length ? [`${path}: not empty, where the example's is`] : [];
    return (actual as unknown[]).flatMap((item, i) => shapeProblems(example[0], item, rules, `${path}[${i}]`, key));
  }
  if (expected !== 'object') return [];
  const ex = example as Record<string, unknown>;
  const ac = actual as Record<string, unknown>;
  if (rules.maps.has(key)) {
    const first = Object.values(ex)[0];
    if (first === undefined) return [`${path}: the example's map is empty: show one entry`];
    return Object.entries(ac).flatMap(([name, value]) =>
      shapeProblems(first, value, rules, `${path}[${JSON.stringify(name)}]`, ''),
    );
  }
  return [
    ...Object.keys(ex)
      .filter((k) => !(k in ac))
      .map((k) => `${path}.${k}: missing (the example has it)`),
    ...Object.keys(ac)
      .filter((k) => !(k in ex))
      .map((k) => `${path}.${k}: not in the example`),
    ...Object.keys(ex)
      .filter((k) => k in ac)
      .flatMap((k) => shapeProblems(ex[k], ac[k], rules, `${path}.${k}`, k)),
  ];
}

/** An example must follow its own rule: the items of an array or a map of one shape, a map not empty. */
function exampleProblems(value: unknown, rules: Rules, path = '$', key = '.'): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [];
    return [
      ...value.slice(1).flatMap((item, i) => shapeProblems(value[0], item, rules, `${path}[${i + 1}]`, key)),
      ...exampleProblems(value[0], rules, `${path}[0]`, key),
    ];
  }
  if (typeOf(value) !== 'object') return [];
  const entries = Object.entries(value as Record<string, unknown>);
  if (rules.maps.has(key)) {
    const [first] = entries;
    if (!first) return [`${path}: an example's map may not be empty`];
    return [
      ...entries.slice(1).flatMap(([name, v]) => shapeProblems(first[1], v, rules, `${path}.${name}`, '')),
      ...exampleProblems(first[1], rules, `${path}.${first[0]}`, ''),
    ];
  }
  return entries.flatMap(([k, v]) => exampleProblems(v, rules, `${path}.${k}`, k));
}

// ── the system the commands run on ─────────────────────────────────────────────────────

let dir: ReturnType<typeof tempDir>;
const at = (...parts: string[]) => join(dir.path, ...parts);
const ALPHA = () => at('alpha');
const STORE = () => join(ALPHA(), 'ssodb.sqlite');
const PW = () => at('pw');
const ME = userInfo().username;

interface Run {
  tool: Tool;
  args: string[];
  /** The exit status expected (0 by default). */
  status?: number;
  /** The error code expected in the error document on stderr. */
  code?: string;
}

/** `ssokit --home HOME … --json`. */
const kit = (home: string, ...args: string[]): Run => ({ tool: 'ssokit', args: ['--home', home, ...args, '--json'] });
/** An original tool, its options first as Enterprise SSO documents them: `ssomanage -listapps … --home HOME --json`. */
const orig = (tool: Tool, home: string, ...args: string[]): Run => ({
  tool,
  args: [...args, '--home', home, '--json'],
});
const a = (...args: string[]) => kit(ALPHA(), ...args);
const o = (tool: Tool, ...args: string[]) => orig(tool, ALPHA(), ...args);
const withPassword = (run: Run): Run => ({ ...run, args: [...run.args, '--password-file', PW()] });

function ok(result: CliResult, what = ''): CliResult {
  if (result.status !== 0) throw new Error(`${what} exit ${result.status}\n${result.stdout}\n${result.stderr}`);
  return result;
}
const setUp = (home: string, ...args: string[]) => ok(runCli('ssokit', ['--home', home, ...args]), args.join(' '));
const initHome = (home: string, name: string) =>
  setUp(home, '--node-name', name, 'init', '--backup', `${home}.bak`, '--password-file', PW(), '--reminder', 'r');

const FIELDS = () => at('fields.json');
const fields = (user: string) => ['--field', `User ID=${user}`, '--fields-file', FIELDS()];

beforeAll(() => {
  dir = tempDir();
  writeFileSync(PW(), 'json-password-1\n', { mode: 0o600 });
  writeFileSync(FIELDS(), JSON.stringify({ Password: 'Sup3r-secret' }), { mode: 0o600 });
  writeFileSync(at('shop.crt'), 'CERT');
  writeFileSync(at('httpd.conf'), 'Listen 443\n');
  initHome(ALPHA(), 'alpha');
  const local = `<appUserAccount>${ME}</appUserAccount><appAdminAccount>admins</appAdminAccount>`;
  setUp(
    ALPHA(),
    'app',
    'create',
    xmlFile(
      dir.path,
      'world.xml',
      appXml([
        { name: 'Payroll' },
        { name: 'LocalApp', flags: 'allowLocalAccounts="yes" enableApp="yes"', extra: local },
        { name: 'OrderSettings', flags: 'configStoreApp="yes" enableApp="yes"', fields: '' },
        { name: 'Doomed1' },
        { name: 'Doomed2' },
      ]),
    ),
  );
  setUp(
    ALPHA(),
    'mapping',
    'create',
    xmlFile(
      dir.path,
      'world-mappings.xml',
      mappingXml([
        ['CORP', 'alice', 'Payroll', 'A1'],
        ['CORP', 'bob', 'Payroll', 'B1'],
        ['CORP', 'erin', 'Payroll', 'E1'],
        ['CORP', 'frank', 'Payroll', 'F1'],
      ]),
    ),
  );
  setUp(ALPHA(), 'credentials', 'set', 'CORP\\alice', 'Payroll', ...fields('A1'));
  setUp(ALPHA(), 'config-store', 'set', 'OrderSettings', '--property', 'ServiceUrl=https://orders.example.com/api');
  setUp(ALPHA(), 'config-store', 'import', 'BtdfApp', fixture('xml', 'SampleSettings.xml'), '--create');
  setUp(
    ALPHA(),
    'bizsys',
    'add',
    'shop',
    '--public-url',
    'https://shop.example.com',
    '--path',
    '/shop',
    '--file',
    `certificate=${at('shop.crt')}`,
  );
  setUp(ALPHA(), 'bizsys', 'add', 'blog', '--public-url', 'https://blog.example.com');
});
/**
 * Single sign-on entries in alpha's store (shop with failover, as `ssokit set` makes it
 * below): there is no command that signs on, so the core runtime does, from here. One is
 * live (list, show, invalidate), one signed on an hour ago and long expired (reap).
 */
let ssoEntryId = '';
beforeAll(async () => {
  const store = await openStore(STORE(), { busyTimeoutMs: 5000 });
  try {
    const shop: GroupMember = {
      name: 'shop',
      ssoEnabled: true,
      maxInactiveSeconds: 300,
      reapIntervalSeconds: 60,
      failoverEnabled: true,
      sessionTimeoutSeconds: 1800,
    };
    const runtime = (now: () => number) => new SsoRuntime(new MemoryState(), new StoreState(store), () => shop, now);
    ssoEntryId = (await runtime(Date.now).signOn('shop', 'alice', 'FORM')).id;
    await runtime(() => Date.now() - 3_600_000).signOn('shop', 'bob', 'FORM');
  } finally {
    await store.close();
  }
});
/** A node on a PostgreSQL store, for the commands only such a store has (db ssl, -setSSL). */
let pgDatabase: TestDatabase | undefined;
const PG_NODE = () => at('pgnode');
/** The PostgreSQL node; without a server the case fails naming why (CI) — npm test provides one. */
const pgNode = () => {
  const why = postgresUnavailable();
  if (why) throw new Error(`needs PostgreSQL: ${why}`);
  return PG_NODE();
};

/** A node of its own whose service runs while the cases do (the others work on their stores directly). */
const SERVICE_HOME = () => at('svc');
let service: ChildProcess | undefined;

beforeAll(async () => {
  initHome(SERVICE_HOME(), 'svc');
  const started = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin', 'ssokit.js'), '--home', SERVICE_HOME(), 'service', 'run', '--listen', '127.0.0.1:0'],
    { env: testEnv(), stdio: 'ignore' },
  );
  service = started;
  for (let i = 0; i < 200 && !existsSync(join(SERVICE_HOME(), 'service.sock')); i++) {
    if (started.exitCode !== null) throw new Error(`the service exited ${started.exitCode}`);
    await new Promise((r) => setTimeout(r, 50));
  }
});

afterAll(() => {
  service?.kill('SIGTERM');
});

beforeAll(async () => {
  if (!postgresUnavailable()) {
    pgDatabase = await freshDatabase('json');
    writeFileSync(at('pg-pw'), 'json-password-1\n', { mode: 0o600 });
    setUp(PG_NODE(), '--node-name', 'pgnode', '--db', storeUrl(pgDatabase), 'init', '--no-backup');
  }
});

afterAll(async () => {
  await pgDatabase?.drop();
  dir.cleanup();
});

const globalInfo = (name: string, timeout: number) =>
  xmlFile(dir.path, name, `<SSO><globalInfo><ticketTimeout>${timeout}</ticketTimeout></globalInfo></SSO>`);
const appUpdate = (name: string, element: string) =>
  xmlFile(dir.path, name, `<SSO><application name="Payroll"><${element}>${name}</${element}></application></SSO>`);
const mappingFile = (user: string, external: string) =>
  xmlFile(dir.path, `${user}.xml`, mappingXml([['CORP', user, 'Payroll', external]]));
const answers = (name: string, body: object) => {
  const path = at(name);
  writeFileSync(path, JSON.stringify(body), { mode: 0o600 });
  return path;
};

/**
 * Every documented spelling, with what it runs, in the order they run: one system worked
 * through as an administrator would, destructive commands late or in homes of their own.
 */
const CASES: [spelling: string, runs: () => Run | Run[]][] = [
  // setting a node up
  [
    'ssokit init',
    () => [
      withPassword(kit(at('fresh1'), '--node-name', 'fresh1', 'init', '--backup', at('fresh1.bak'), '--reminder', 'r')),
      kit(at('fresh2'), '--node-name', 'fresh2', 'init', '--no-backup'),
    ],
  ],
  [
    'ssokit setup --answers FILE',
    () =>
      withPassword(
        kit(
          at('setup1'),
          'setup',
          '--answers',
          answers('create.json', {
            mode: 'create',
            nodeName: 'setup1',
            serviceAccount: ME,
            ssoAdminAccount: ME,
            affiliateAdminAccount: ME,
            store: at('setup1', 'ssodb.sqlite'),
            backup: { file: at('setup1.bak'), reminder: 'r' },
          }),
        ),
      ),
  ],
  [
    'ssokit setup --answers FILE (join)',
    () =>
      kit(
        at('setup2'),
        'setup',
        '--answers',
        answers('join.json', {
          mode: 'join',
          secretServer: false,
          nodeName: 'setup2',
          serviceAccount: ME,
          store: STORE(),
          backup: null,
          restore: null,
        }),
      ),
  ],
  ['ssokit setup --print-answers', () => kit(at('setup3'), 'setup', '--print-answers')],
  ['ssokit join', () => kit(at('join1'), '--node-name', 'beta', 'join', STORE())],
  ['ssoconfig -setDB', () => orig('ssoconfig', at('join2'), '-setDB', STORE(), '--node-name', 'gamma')],
  ['ssokit db where', () => a('db', 'where')],
  // Only a PostgreSQL store has a connection to secure (on SQLite: CONFLICT, below).
  ['ssokit db ssl', () => kit(pgNode(), 'db', 'ssl', 'disable')],
  ['ssoconfig -setSSL', () => orig('ssoconfig', pgNode(), '-setSSL', 'no')],
  ['ssomanage -setSSL', () => orig('ssomanage', pgNode(), '-setSSL', 'no')],
  ['ssokit db ssl MODE (a SQLite store)', () => ({ ...a('db', 'ssl', 'require'), status: 53, code: 'CONFLICT' })],
  ['ssoconfig -showDB', () => o('ssoconfig', '-showDB')],
  ['ssomanage -showdb', () => o('ssomanage', '-showdb')],
  // the master secret
  ['ssokit secret status', () => a('secret', 'status')],
  ['ssokit secret backup', () => withPassword(a('secret', 'backup', at('b1.bak'), '--reminder', 'r'))],
  ['ssoconfig -backupSecret', () => withPassword(o('ssoconfig', '-backupSecret', at('b2.bak'), '--reminder', 'r'))],
  [
    'ssokit secret verify',
    () => [
      withPassword(a('secret', 'verify', at('b1.bak'))),
      withPassword(kit(at('nowhere'), 'secret', 'verify', at('b1.bak'))),
    ],
  ],
  ['ssokit secret restore', () => withPassword(a('secret', 'restore', at('b1.bak')))],
  ['ssoconfig -restoreSecret', () => withPassword(o('ssoconfig', '-restoreSecret', at('b2.bak')))],
  ['ssokit secret rotate', () => withPassword(a('secret', 'rotate', '--backup', at('r1.bak'), '--reminder', 'r'))],
  ['ssoconfig -generateSecret', () => withPassword(o('ssoconfig', '-generateSecret', at('r2.bak'), '--reminder', 'r'))],
  ['ssokit secret reencrypt', () => a('secret', 'reencrypt')],
  // global info and the store
  ['ssokit db show', () => a('db', 'show')],
  ['ssomanage -displaydb', () => o('ssomanage', '-displaydb')],
  [
    'ssokit db update',
    () => [a('db', 'update', globalInfo('gi5.xml', 5)), a('db', 'update', globalInfo('gi6.xml', 6), '--dry-run')],
  ],
  ['ssomanage -updatedb', () => o('ssomanage', '-updatedb', globalInfo('gi7.xml', 7))],
  ['ssokit db disable-sso', () => a('db', 'disable-sso')],
  ['ssokit db enable-sso', () => a('db', 'enable-sso')],
  ['ssomanage -disablesso', () => o('ssomanage', '-disablesso')],
  ['ssomanage -enablesso', () => o('ssomanage', '-enablesso')],
  ['ssokit db tickets', () => a('db', 'tickets', 'yes', 'no')],
  ['ssomanage -tickets', () => o('ssomanage', '-tickets', 'yes', 'yes')],
  ['ssomanage -enable hisso', () => o('ssomanage', '-enable', 'hisso')],
  ['ssomanage -disable hisso', () => o('ssomanage', '-disable', 'hisso')],
  ['ssomanage -showserver', () => o('ssomanage', '-showserver')],
  ['ssoclient -showserver', () => o('ssoclient', '-showserver')],
  ['ssokit db backup', () => a('db', 'backup', at('store.bak'))],
  ['ssokit db copy', () => a('db', 'copy', '--to', at('store-copy.sqlite'))],
  [
    'ssokit db restore',
    () => {
      initHome(at('restore'), 'restore');
      setUp(at('restore'), 'db', 'backup', at('restore-store.bak'));
      return kit(at('restore'), 'db', 'restore', at('restore-store.bak'), '--yes');
    },
  ],
  // affiliate applications
  [
    'ssokit app create',
    () => {
      const file = xmlFile(dir.path, 'new.xml', appXml([{ name: 'NewApp' }]));
      return [a('app', 'create', file, '--dry-run'), a('app', 'create', file)];
    },
  ],
  ['ssomanage -createapps', () => o('ssomanage', '-createapps', fixture('xml', 'AffiliateApplication.xml'))],
  ['ssokit app update', () => a('app', 'update', appUpdate('update1.xml', 'description'))],
  ['ssomanage -updateapps', () => o('ssomanage', '-updateapps', appUpdate('update2.xml', 'contact'))],
  ['ssokit app list', () => [a('app', 'list'), a('app', 'list', '--all')]],
  ['ssomanage -listapps', () => [o('ssomanage', '-listapps'), o('ssomanage', '-listapps', 'all')]],
  ['ssokit app show', () => a('app', 'show', 'Payroll')],
  ['ssomanage -displayapp', () => o('ssomanage', '-displayapp', 'Payroll')],
  ['ssoclient -displayapp', () => o('ssoclient', '-displayapp', 'LocalApp')],
  ['ssokit app enable', () => a('app', 'enable', 'SSOApplication')],
  ['ssomanage -disableapp', () => o('ssomanage', '-disableapp', 'SSOApplication')],
  ['ssomanage -enableapp', () => o('ssomanage', '-enableapp', 'SSOApplication')],
  ['ssokit app disable', () => a('app', 'disable', 'SSOApplication')],
  ['ssokit app purge-cache', () => a('app', 'purge-cache', 'Payroll')],
  ['ssomanage -purgecache', () => o('ssomanage', '-purgecache', 'Payroll')],
  ['ssokit app delete', () => a('app', 'delete', 'Doomed1', '--yes')],
  ['ssomanage -deleteapp', () => o('ssomanage', '-deleteapp', 'Doomed2')],
  // mappings
  ['ssokit mapping create', () => a('mapping', 'create', mappingFile('carol', 'C1'))],
  ['ssomanage -createmappings', () => o('ssomanage', '-createmappings', mappingFile('dave', 'D1'))],
  [
    'ssokit mapping list',
    () => [
      a('mapping', 'list'),
      a('mapping', 'list', '--app', 'Payroll'),
      a('mapping', 'list', '--user', 'CORP\\alice'),
    ],
  ],
  [
    'ssomanage -listmappings',
    () => [
      o('ssomanage', '-listmappings', 'Payroll'),
      o('ssomanage', '-listmappings', 'CORP\\alice'),
      o('ssomanage', '-listmappings', 'CORP\\alice', 'Payroll'),
    ],
  ],
  ['ssokit mapping enable', () => a('mapping', 'enable', 'CORP\\carol', 'Payroll')],
  ['ssomanage -enablemapping', () => o('ssomanage', '-enablemapping', 'CORP\\dave', 'Payroll')],
  ['ssokit mapping disable', () => a('mapping', 'disable', 'CORP\\carol', 'Payroll')],
  ['ssomanage -disablemapping', () => o('ssomanage', '-disablemapping', 'CORP\\dave', 'Payroll')],
  ['ssokit mapping delete', () => a('mapping', 'delete', 'CORP\\carol', 'Payroll')],
  ['ssomanage -deletemapping', () => o('ssomanage', '-deletemapping', 'CORP\\dave', 'Payroll')],
  ['ssokit mapping delete-file', () => a('mapping', 'delete-file', mappingFile('erin', 'E1'))],
  ['ssomanage -deletemappings', () => o('ssomanage', '-deletemappings', mappingFile('frank', 'F1'))],
  // credentials
  ['ssokit credentials set', () => a('credentials', 'set', 'CORP\\bob', 'Payroll', ...fields('B1'))],
  [
    'ssomanage -setcredentials',
    () => o('ssomanage', '-setcredentials', 'CORP\\gina', 'Payroll', '--external-user', 'G1', ...fields('G1')),
  ],
  [
    'ssoclient -setcredentials',
    () => o('ssoclient', '-setcredentials', 'LocalApp', '--external-user', 'me-ext', ...fields('me-ext')),
  ],
  [
    'ssokit credentials get',
    () => [
      a('credentials', 'get', 'CORP\\alice', 'Payroll'),
      a('credentials', 'get', 'CORP\\alice', 'Payroll', '--reveal'),
    ],
  ],
  [
    'ssokit credentials import',
    () => {
      const line = {
        user: 'CORP\\hank',
        app: 'Payroll',
        externalUser: 'H1',
        fields: { 'User ID': 'H1', Password: 'p' },
      };
      writeFileSync(at('credentials.jsonl'), `${JSON.stringify(line)}\n`, { mode: 0o600 });
      return a('credentials', 'import', at('credentials.jsonl'));
    },
  ],
  // ssoclient, for the OS user running it
  ['ssoclient -listapps', () => o('ssoclient', '-listapps')],
  ['ssoclient -listmappings', () => o('ssoclient', '-listmappings')],
  ['ssoclient -enablemapping', () => o('ssoclient', '-enablemapping', 'LocalApp')],
  ['ssoclient -disablemapping', () => o('ssoclient', '-disablemapping', 'LocalApp')],
  ['ssoclient -deletemapping', () => o('ssoclient', '-deletemapping', 'LocalApp')],
  // the config store
  [
    'ssokit config-store set',
    () => [
      a('config-store', 'set', 'OrderSettings', '--property', 'RetryCount=5'),
      a('config-store', 'set', 'OrderSettings', 'Extra', '--property', 'Region=eu'),
    ],
  ],
  [
    'ssokit config-store import --identifier ID',
    () =>
      a('config-store', 'import', 'OrderSettings', fixture('xml', 'SampleSettings.xml'), '--identifier', 'Imported'),
  ],
  ['ssokit config-store set --setting', () => a('config-store', 'set', 'BtdfApp', '--setting', 'RetryCount=7')],
  [
    'ssokit config-store import',
    () => [
      a('config-store', 'import', 'BtdfApp', fixture('xml', 'SampleSettings.xml')),
      a('config-store', 'import', 'BtdfApp2', fixture('xml', 'SampleSettings.xml'), '--create'),
    ],
  ],
  [
    'ssokit config-store get',
    () => [a('config-store', 'get', 'OrderSettings'), a('config-store', 'get', 'OrderSettings', 'Extra', '--runtime')],
  ],
  ['ssokit config-store get (BTDF layout)', () => a('config-store', 'get', 'BtdfApp')],
  ['ssokit config-store get --setting NAME', () => a('config-store', 'get', 'BtdfApp', '--setting', 'RetryCount')],
  ['ssokit config-store list', () => a('config-store', 'list', 'OrderSettings')],
  [
    'ssokit config-store export',
    () => [a('config-store', 'export', 'OrderSettings'), a('config-store', 'export', 'BtdfApp')],
  ],
  [
    'ssokit config-store export --output FILE',
    () => a('config-store', 'export', 'OrderSettings', '--output', at('order-settings.json')),
  ],
  ['ssokit config-store delete', () => a('config-store', 'delete', 'OrderSettings', 'Extra')],
  // business systems and settings
  [
    'ssokit bizsys add',
    () =>
      a(
        'bizsys',
        'add',
        'portal',
        '--public-url',
        'https://portal.example.com:8443',
        '--auth-server',
        'https://sso.example.com/auth',
      ),
  ],
  ['ssokit bizsys show', () => a('bizsys', 'show', 'shop')],
  [
    'ssokit bizsys update',
    () => a('bizsys', 'update', 'shop', '--add-path', '/cart', '--file', `web-config=${at('httpd.conf')}`),
  ],
  ['ssokit bizsys list', () => a('bizsys', 'list')],
  ['ssokit get', () => [a('get', 'bizsys.shop.ssl'), a('get', 'bizsys.shop'), a('get', '*')]],
  ['ssokit set', () => a('set', 'bizsys.shop.sso-failover-enabled=true', 'bizsys.portal.sso-max-inactive-seconds=600')],
  ['ssokit bizsys remove', () => a('bizsys', 'remove', 'blog', '--yes')],
  // single sign-on entries (signed on above; without the service, the store's only)
  ['ssokit sso list', () => [a('sso', 'list'), a('sso', 'list', '--bizsys', 'shop', '--user', 'alice')]],
  ['ssokit sso show', () => a('sso', 'show', ssoEntryId)],
  [
    'ssokit sso show ID (no such entry)',
    () => ({ ...a('sso', 'show', '0000000000000000'), status: 51, code: 'NOT_FOUND' }),
  ],
  ['ssokit sso invalidate', () => a('sso', 'invalidate', ssoEntryId)],
  ['ssokit sso reap', () => a('sso', 'reap')],
  // environment bundles
  ['ssokit clone export', () => withPassword(a('clone', 'export', at('e1.bundle')))],
  ['ssokit clone -p FILE', () => withPassword(a('clone', '-p', at('e2.bundle')))],
  ['ssocloneaz -p', () => withPassword(o('ssocloneaz', '-p', '-f', at('e3.bundle')))],
  ['ssokit clone inspect', () => a('clone', 'inspect', at('e1.bundle'))],
  [
    'ssokit clone import',
    () => withPassword(kit(at('web1'), '--node-name', 'web1', 'clone', 'import', at('e1.bundle'), '--keep-bundle')),
  ],
  [
    'ssokit clone -c FILE',
    () => withPassword(kit(at('web2'), '--node-name', 'web2', 'clone', '-c', at('e2.bundle'), '--keep-bundle')),
  ],
  [
    'ssocloneaz -c',
    () =>
      withPassword(
        orig('ssocloneaz', at('web3'), '-c', '-f', at('e3.bundle'), '--node-name', 'web3', '--delete-bundle'),
      ),
  ],
  [
    'ssokit clone import (already imported)',
    () => withPassword(kit(at('web1'), '--node-name', 'web1', 'clone', 'import', at('e1.bundle'), '--keep-bundle')),
  ],
  // the audit log, after the deletions and lookups above
  ['ssokit audit list', () => a('audit', 'list', '--limit', '5')],
  ['ssokit audit list --kind deleted-apps', () => a('audit', 'list', '--kind', 'deleted-apps')],
  ['ssokit audit list --kind deleted-mappings', () => a('audit', 'list', '--kind', 'deleted-mappings')],
  ['ssokit audit list --kind lookups', () => a('audit', 'list', '--kind', 'lookups')],
  // nodes and the service
  [
    'ssokit node approve',
    () => {
      setUp(at('beta'), 'join', '--db', STORE(), '--node-name', 'beta');
      return a('node', 'approve', 'beta');
    },
  ],
  ['ssokit node list', () => a('node', 'list')],
  ['ssokit node revoke', () => a('node', 'revoke', 'beta')],
  ['ssokit node remote-lookup', () => a('node', 'remote-lookup', 'yes')],
  ['ssoconfig -remoteLookup', () => o('ssoconfig', '-remoteLookup', 'no')],
  ['ssokit service status', () => kit(SERVICE_HOME(), 'service', 'status')],
  [
    'ssokit service run (not set up)',
    () => ({ ...kit(at('no-home'), 'service', 'run'), status: 30, code: 'NOT_CONFIGURED' }),
  ],
  // checking a node
  ['ssokit check', () => a('check')],
  [
    'ssokit check (a problem found)',
    () => {
      initHome(at('broken'), 'broken');
      chmodSync(at('broken', 'node.json'), 0o644);
      return { ...kit(at('broken'), 'check'), status: 70, code: 'CHECK_FAILED' };
    },
  ],
  // errors, one at least in each syntax
  [
    'ssokit clone export --include-secret (not a sound source)',
    () => ({
      ...withPassword(a('clone', 'export', at('e4.bundle'), '--include-secret')),
      status: 65,
      code: 'PREFLIGHT_FAILED',
    }),
  ],
  [
    'ssokit app show NAME (no such application)',
    () => ({ ...a('app', 'show', 'Nope'), status: 51, code: 'NOT_FOUND' }),
  ],
  ['ssokit app frobnicate (unknown command)', () => ({ ...a('app', 'frobnicate'), status: 2, code: 'USAGE' })],
  [
    'ssoconfig -restoreSecret FILE (no such file)',
    () => ({
      ...withPassword(o('ssoconfig', '-restoreSecret', at('missing.bak'))),
      status: 10,
      code: 'FILE_NOT_FOUND',
    }),
  ],
  [
    'ssomanage -displayapp NAME (no such application)',
    () => ({ ...o('ssomanage', '-displayapp', 'Nope'), status: 51, code: 'NOT_FOUND' }),
  ],
  ['ssomanage -frobnicate (unknown option)', () => ({ ...o('ssomanage', '-frobnicate'), status: 2, code: 'USAGE' })],
  [
    'ssoclient -displayapp NAME (no such application)',
    () => ({ ...o('ssoclient', '-displayapp', 'Nope'), status: 51, code: 'NOT_FOUND' }),
  ],
  [
    'ssocloneaz -c FILE (no such file)',
    () => ({ ...o('ssocloneaz', '-c', '-f', at('missing.bundle')), status: 10, code: 'FILE_NOT_FOUND' }),
  ],
  // what ssokit knows but does not offer fails, in every tool that has it
  ...ALL_COMMANDS.filter((def) => def.unsupported)
    .flatMap(spellingsOf)
    .map((spelling): [string, () => Run] => {
      const [tool, option] = spelling.split(' ') as [Tool, string];
      return [spelling, () => ({ ...o(tool, option), status: 3, code: 'NOT_IMPLEMENTED' })];
    }),
];

// ── the test ───────────────────────────────────────────────────────────────────────────

describe(`${DOC} documents every command`, () => {
  test('every spelling of every command in the table has an example (an error example when unsupported)', () => {
    const documented = new Map<string, Set<Example['kind']>>();
    for (const example of EXAMPLES) {
      for (const spelling of example.spellings) {
        const own = tableSpelling(spelling);
        if (own) documented.set(own, (documented.get(own) ?? new Set()).add(example.kind));
      }
    }
    // A foreground process prints no document (its stdout is its log): its failure is the example.
    const foreground = new Set(['ssokit service run']);
    const missing = ALL_COMMANDS.flatMap((def) =>
      spellingsOf(def)
        .filter((s) => !documented.get(s)?.has(def.unsupported || foreground.has(s) ? 'json-error' : 'json'))
        .map((s) => `${s}${def.unsupported ? ' (unsupported: a json-error example)' : ''}`),
    );
    expect(missing).toEqual([]);
  });

  test('every documented spelling is run below, and every spelling run is documented', () => {
    const run = new Set(CASES.map(([spelling]) => spelling));
    expect(CASES.length).toBe(run.size);
    expect([...BY_SPELLING.keys()].filter((s) => !run.has(s))).toEqual([]);
    expect([...run].filter((s) => !BY_SPELLING.has(s))).toEqual([]);
    expect(EXAMPLES.flatMap((e) => e.spellings).length).toBe(BY_SPELLING.size);
  });

  test('every example keeps the rule: the items of an array or a map of one shape, a map not empty', () => {
    expect(EXAMPLES.flatMap((e) => exampleProblems(e.value, e).map((p) => `${DOC}:${e.line}: ${p}`))).toEqual([]);
    expect(ERROR_EXAMPLE).toBeDefined();
    for (const e of EXAMPLES.filter((x) => x.kind === 'json-error')) {
      expect([e.line, shapeProblems(ERROR_EXAMPLE!.value, e.value, ERROR_EXAMPLE!)]).toEqual([e.line, []]);
    }
  });
});

/** The error document on the last line of stderr: its problems against the documented one. */
function errorProblems(result: CliResult, code: string | undefined): string[] {
  const lines = result.stderr.trimEnd().split('\n');
  const last = lines.at(-1) ?? '';
  const problems = lines
    .slice(0, -1)
    .filter((l) => l.startsWith('{'))
    .map((l) => `stderr: JSON before the last line: ${l}`);
  let document: { error?: { code?: unknown; status?: unknown } };
  try {
    document = JSON.parse(last);
  } catch {
    return [...problems, `stderr: the last line is not an error document: ${last}`];
  }
  return [
    ...problems,
    ...shapeProblems(ERROR_EXAMPLE!.value, document, ERROR_EXAMPLE!),
    ...(document.error?.status === result.status
      ? []
      : [`error.status ${document.error?.status} is not the exit status ${result.status}`]),
    ...(code === undefined || document.error?.code === code ? [] : [`error.code ${document.error?.code}, not ${code}`]),
  ];
}

describe('each command prints the document its example shows', () => {
  for (const [spelling, make] of CASES) {
    test(spelling, () => {
      const example = BY_SPELLING.get(spelling);
      for (const run of [make()].flat()) {
        const result = runCli(run.tool, run.args);
        const where = `${run.tool} ${run.args.join(' ')}\nexit ${result.status}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
        if (!example) throw new Error(`no example in ${DOC} for "${spelling}"; ${where}`);
        const problems: string[] = [];
        if (result.status !== (run.status ?? 0)) problems.push(`exit status ${result.status}, not ${run.status ?? 0}`);
        if (example.kind === 'json') {
          let document: unknown;
          try {
            document = JSON.parse(result.stdout);
          } catch (error) {
            problems.push(`stdout is not one JSON document (${(error as Error).message})`);
          }
          if (document !== undefined) problems.push(...shapeProblems(example.value, document, example));
          if (run.code !== undefined) problems.push(...errorProblems(result, run.code));
        } else {
          if (result.stdout !== '') problems.push('stdout is not empty');
          problems.push(...errorProblems(result, run.code));
        }
        if (problems.length) throw new Error(`${DOC}:${example.line}: ${problems.join('\n')}\n\n${where}`);
      }
    });
  }
});
