/**
 * The contract between a command line and its handler: each line, in either syntax, names
 * one declared command and yields exactly these options (every key, none extra); a bad
 * line gets a usage error with a one-line reason. Every command of the table, in every
 * spelling it has, appears here at least once.
 */

import type { CommandDef, ToolName } from '../../src/cli/table/define.js';
import { parseCommandLine } from '../../src/cli/table/parse.js';
import { ALL_COMMANDS } from '../../src/cli/table/registry.js';
import { tableSpeller } from '../../src/cli/table/spelling.js';
import { SsoError } from '../../src/errors.js';
import { type CommandRef, command, option, remedy } from '../../src/remedy.js';

type Row = [tool: ToolName, argv: string[], command: string, options: Record<string, unknown>];

const FIELDS = { externalUser: undefined, field: [], fieldsFile: undefined };
const BIZSYS_SETTINGS = {
  path: [],
  authServer: undefined,
  ssl: undefined,
  file: [],
  ssoEnabled: undefined,
  ssoMaxInactiveSeconds: undefined,
  ssoReapIntervalSeconds: undefined,
  ssoFailoverEnabled: undefined,
};

const ROWS: Row[] = [
  // setting a node up
  ['ssokit', ['setup'], 'setup', { answers: undefined, printAnswers: false }],
  ['ssokit', ['setup', '--answers', 'a.json'], 'setup', { answers: 'a.json', printAnswers: false }],
  [
    'ssokit',
    ['init', '--backup', 'b.bak', '--reminder', 'r', '--force', '--cluster-name', 'C1', '--cluster-name', 'C2'],
    'init',
    {
      clusterName: ['C1', 'C2'],
      secretServer: undefined,
      domain: undefined,
      ssoAdmin: undefined,
      affiliateAdmin: undefined,
      backup: 'b.bak',
      reminder: 'r',
      force: true,
    },
  ],
  [
    'ssokit',
    ['init', '--no-backup', '--sso-admin', 'ops;admins', '--domain', 'CORP', '--secret-server', 'MSS'],
    'init',
    {
      clusterName: [],
      secretServer: 'MSS',
      domain: 'CORP',
      ssoAdmin: 'ops;admins',
      affiliateAdmin: undefined,
      backup: false,
      reminder: undefined,
      force: false,
    },
  ],
  ['ssokit', ['join', '/srv/ssodb.sqlite'], 'join', { store: '/srv/ssodb.sqlite', clusterName: [], domain: undefined }],
  ['ssokit', ['join', '--db', '/srv/ssodb.sqlite'], 'join', { store: undefined, clusterName: [], domain: undefined }],
  [
    'ssoconfig',
    ['-setDB', '/srv/ssodb.sqlite', '--cluster-name', 'MSS'],
    'ssoconfig -setDB',
    { store: '/srv/ssodb.sqlite', clusterName: ['MSS'], domain: undefined },
  ],
  // the master secret
  ['ssokit', ['secret', 'backup', 'x.bak'], 'secret backup', { file: 'x.bak', reminder: undefined, force: false }],
  [
    'ssoconfig',
    ['-backupsecret', 'x.bak', '--reminder', 'r', '--force'],
    'ssoconfig -backupSecret',
    { file: 'x.bak', reminder: 'r', force: true },
  ],
  ['ssokit', ['secret', 'restore', 'x.bak', '--force'], 'secret restore', { file: 'x.bak', force: true }],
  ['ssoconfig', ['-restoreSecret', 'x.bak'], 'ssoconfig -restoreSecret', { file: 'x.bak', force: false }],
  [
    'ssokit',
    ['secret', 'rotate', '--backup', 'n.bak'],
    'secret rotate',
    { backup: 'n.bak', reminder: undefined, force: false },
  ],
  [
    'ssoconfig',
    ['-GENERATESECRET', 'n.bak', '--reminder', ''],
    'ssoconfig -generateSecret',
    { backup: 'n.bak', reminder: '', force: false },
  ],
  ['ssokit', ['secret', 'reencrypt'], 'secret reencrypt', {}],
  ['ssokit', ['secret', 'status'], 'secret status', {}],
  ['ssokit', ['secret', 'verify', 'x.bak'], 'secret verify', { file: 'x.bak' }],
  // the store and its global info
  ['ssokit', ['db', 'where'], 'db where', {}],
  ['ssoconfig', ['-showdb'], 'ssoconfig -showDB', {}],
  ['ssomanage', ['-showdb'], 'ssomanage -showdb', {}],
  ['ssokit', ['db', 'show'], 'db show', {}],
  ['ssomanage', ['-displaydb'], 'ssomanage -displaydb', {}],
  ['ssokit', ['db', 'update', 'g.xml', '--dry-run'], 'db update', { file: 'g.xml', dryRun: true }],
  ['ssomanage', ['-updatedb', 'g.xml'], 'ssomanage -updatedb', { file: 'g.xml', dryRun: false }],
  ['ssokit', ['db', 'backup', 's.db', '--force'], 'db backup', { file: 's.db', force: true }],
  ['ssokit', ['db', 'restore', 's.db', '--yes'], 'db restore', { file: 's.db' }],
  [
    'ssokit',
    ['db', 'copy', '--to', 'postgres://sso@db1/ssodb', '--to-password-file', 'pw'],
    'db copy',
    { to: 'postgres://sso@db1/ssodb', toPasswordFile: 'pw' },
  ],
  ['ssokit', ['db', 'enable-sso'], 'db enable-sso', {}],
  ['ssomanage', ['-enablesso'], 'ssomanage -enablesso', {}],
  ['ssokit', ['db', 'disable-sso'], 'db disable-sso', {}],
  ['ssomanage', ['-disablesso'], 'ssomanage -disablesso', {}],
  ['ssokit', ['db', 'tickets', 'yes', 'no'], 'db tickets', { allowed: 'yes', validate: 'no' }],
  ['ssomanage', ['-tickets', 'on', 'off'], 'ssomanage -tickets', { allowed: 'on', validate: 'off' }],
  ['ssomanage', ['-enable', 'hisso'], 'ssomanage -enable', { feature: 'hisso' }],
  ['ssomanage', ['-disable', 'hisso'], 'ssomanage -disable', { feature: 'hisso' }],
  ['ssomanage', ['-showserver'], 'ssomanage -showserver', {}],
  ['ssoclient', ['-showserver'], 'ssoclient -showserver', {}],
  ['ssomanage', ['-server', 'OTHER'], 'ssomanage -server', {}],
  ['ssoclient', ['-server', 'OTHER'], 'ssoclient -server', {}],
  ['ssomanage', ['-serverall', 'OTHER'], 'ssomanage -serverall', {}],
  ['ssokit', ['db', 'ssl', 'verify-full'], 'db ssl', { mode: 'verify-full' }],
  ['ssokit', ['node', 'list'], 'node list', {}],
  [
    'ssokit',
    ['service', 'run', '--listen', '127.0.0.1:0'],
    'service run',
    { listen: '127.0.0.1:0', refreshSeconds: undefined, leaseSeconds: undefined },
  ],
  ['ssokit', ['service', 'status', '--service', '/s', '--wait', '5'], 'service status', { wait: '5' }],
  ['ssokit', ['node', 'approve', 'b'], 'node approve', { name: 'b' }],
  ['ssokit', ['node', 'revoke', 'b'], 'node revoke', { name: 'b' }],
  ['ssokit', ['node', 'remote-lookup', 'no'], 'node remote-lookup', { allowed: 'no' }],
  ['ssoconfig', ['-setSSL', 'yes'], 'ssoconfig -setSSL', { mode: 'yes' }],
  ['ssomanage', ['-setssl', 'no'], 'ssomanage -setSSL', { mode: 'no' }],
  ['ssoconfig', ['-remoteLookup', 'yes'], 'ssoconfig -remoteLookup', { allowed: 'yes' }],
  ['ssoconfig', ['-allowPS', 'yes'], 'ssoconfig -allowPS', {}],
  ['ssoconfig', ['-syncAge', '5'], 'ssoconfig -syncAge', {}],
  ['ssoconfig', ['-replayFiles', '/x'], 'ssoconfig -replayFiles', {}],
  ['ssoconfig', ['-auditLevel', '1', '1'], 'ssoconfig -auditLevel', {}],
  // applications
  ['ssokit', ['app', 'create', 'a.xml'], 'app create', { file: 'a.xml', dryRun: false }],
  ['ssomanage', ['-createapps', 'a.xml', '--dry-run'], 'ssomanage -createapps', { file: 'a.xml', dryRun: true }],
  ['ssokit', ['app', 'update', 'a.xml', '--dry-run'], 'app update', { file: 'a.xml', dryRun: true }],
  ['ssomanage', ['-updateapps', 'a.xml'], 'ssomanage -updateapps', { file: 'a.xml', dryRun: false }],
  ['ssokit', ['app', 'list', '--all'], 'app list', { all: true }],
  ['ssomanage', ['-listapps', 'all'], 'ssomanage -listapps', { all: 'all' }],
  ['ssomanage', ['-listapps'], 'ssomanage -listapps', { all: undefined }],
  ['ssokit', ['app', 'show', 'Payroll'], 'app show', { name: 'Payroll' }],
  ['ssomanage', ['-displayapp', 'Payroll'], 'ssomanage -displayapp', { name: 'Payroll' }],
  ['ssokit', ['app', 'delete', 'Payroll'], 'app delete', { name: 'Payroll' }],
  ['ssomanage', ['-deleteapp', 'Payroll'], 'ssomanage -deleteapp', { name: 'Payroll' }],
  ['ssokit', ['app', 'enable', 'Payroll'], 'app enable', { name: 'Payroll' }],
  ['ssomanage', ['-enableapp', 'Payroll'], 'ssomanage -enableapp', { name: 'Payroll' }],
  ['ssokit', ['app', 'disable', 'Payroll'], 'app disable', { name: 'Payroll' }],
  ['ssomanage', ['-disableapp', 'Payroll'], 'ssomanage -disableapp', { name: 'Payroll' }],
  ['ssokit', ['app', 'purge-cache', 'Payroll'], 'app purge-cache', { name: 'Payroll' }],
  ['ssomanage', ['-purgecache', 'Payroll'], 'ssomanage -purgecache', { name: 'Payroll' }],
  // mappings
  ['ssokit', ['mapping', 'create', 'm.xml'], 'mapping create', { file: 'm.xml' }],
  ['ssomanage', ['-createmappings', 'm.xml'], 'ssomanage -createmappings', { file: 'm.xml' }],
  ['ssokit', ['mapping', 'delete-file', 'm.xml'], 'mapping delete-file', { file: 'm.xml' }],
  ['ssomanage', ['-deletemappings', 'm.xml'], 'ssomanage -deletemappings', { file: 'm.xml' }],
  [
    'ssokit',
    ['mapping', 'delete', 'CORP\\alice', 'Payroll'],
    'mapping delete',
    { user: 'CORP\\alice', app: 'Payroll' },
  ],
  [
    'ssomanage',
    ['-deletemapping', 'CORP\\alice', 'Payroll'],
    'ssomanage -deletemapping',
    { user: 'CORP\\alice', app: 'Payroll' },
  ],
  [
    'ssokit',
    ['mapping', 'enable', 'CORP\\alice', 'Payroll'],
    'mapping enable',
    { user: 'CORP\\alice', app: 'Payroll' },
  ],
  [
    'ssomanage',
    ['-enablemapping', 'CORP\\alice', 'Payroll'],
    'ssomanage -enablemapping',
    { user: 'CORP\\alice', app: 'Payroll' },
  ],
  [
    'ssokit',
    ['mapping', 'disable', 'CORP\\alice', 'Payroll'],
    'mapping disable',
    { user: 'CORP\\alice', app: 'Payroll' },
  ],
  [
    'ssomanage',
    ['-disablemapping', 'CORP\\alice', 'Payroll'],
    'ssomanage -disablemapping',
    { user: 'CORP\\alice', app: 'Payroll' },
  ],
  ['ssokit', ['mapping', 'list', '--app', 'Payroll'], 'mapping list', { user: undefined, app: 'Payroll' }],
  [
    'ssomanage',
    ['-listmappings', 'CORP\\alice'],
    'ssomanage -listmappings',
    { first: 'CORP\\alice', second: undefined },
  ],
  [
    'ssomanage',
    ['-listmappings', 'CORP\\alice', 'Payroll'],
    'ssomanage -listmappings',
    { first: 'CORP\\alice', second: 'Payroll' },
  ],
  // credentials
  [
    'ssokit',
    ['credentials', 'set', 'CORP\\alice', 'Payroll', '--field', 'User ID=A1', '--fields-file', 'f.json'],
    'credentials set',
    { user: 'CORP\\alice', app: 'Payroll', externalUser: undefined, field: ['User ID=A1'], fieldsFile: 'f.json' },
  ],
  [
    'ssomanage',
    ['-setcredentials', 'CORP\\alice', 'Payroll', '--external-user', 'A1'],
    'ssomanage -setcredentials',
    { user: 'CORP\\alice', app: 'Payroll', ...FIELDS, externalUser: 'A1' },
  ],
  [
    'ssokit',
    ['credentials', 'get', 'CORP\\alice', 'Payroll', '--reveal'],
    'credentials get',
    { user: 'CORP\\alice', app: 'Payroll', reveal: true },
  ],
  ['ssokit', ['credentials', 'import', 'c.jsonl'], 'credentials import', { file: 'c.jsonl' }],
  // ssoclient's own
  ['ssoclient', ['-listapps'], 'ssoclient -listapps', {}],
  ['ssoclient', ['-displayapp', 'Payroll'], 'ssoclient -displayapp', { name: 'Payroll' }],
  [
    'ssoclient',
    ['-setcredentials', 'Payroll', '--fields-file', '-'],
    'ssoclient -setcredentials',
    { app: 'Payroll', ...FIELDS, fieldsFile: '-' },
  ],
  ['ssoclient', ['-listmappings'], 'ssoclient -listmappings', {}],
  ['ssoclient', ['-deletemapping', 'Payroll'], 'ssoclient -deletemapping', { app: 'Payroll' }],
  ['ssoclient', ['-enablemapping', 'Payroll'], 'ssoclient -enablemapping', { app: 'Payroll' }],
  ['ssoclient', ['-disablemapping', 'Payroll'], 'ssoclient -disablemapping', { app: 'Payroll' }],
  // the config store
  [
    'ssokit',
    ['config-store', 'set', 'Cfg', '--property', 'a=1', '--property', 'b=2', '--replace'],
    'config-store set',
    { app: 'Cfg', identifier: undefined, property: ['a=1', 'b=2'], file: undefined, replace: true, setting: [] },
  ],
  [
    'ssokit',
    ['config-store', 'set', 'Cfg', '--setting', 'FileSendLocation=c:\\out', '--setting', 'RetryCount=5'],
    'config-store set',
    {
      app: 'Cfg',
      identifier: undefined,
      property: [],
      file: undefined,
      replace: false,
      setting: ['FileSendLocation=c:\\out', 'RetryCount=5'],
    },
  ],
  [
    'ssokit',
    ['config-store', 'get', 'Cfg', 'Bag', '--runtime'],
    'config-store get',
    { app: 'Cfg', identifier: 'Bag', runtime: true, setting: undefined },
  ],
  [
    'ssokit',
    ['config-store', 'get', 'Cfg', '--setting', 'FileSendLocation'],
    'config-store get',
    { app: 'Cfg', identifier: undefined, runtime: false, setting: 'FileSendLocation' },
  ],
  ['ssokit', ['config-store', 'delete', 'Cfg'], 'config-store delete', { app: 'Cfg', identifier: undefined }],
  ['ssokit', ['config-store', 'list', 'Cfg'], 'config-store list', { app: 'Cfg' }],
  [
    'ssokit',
    ['config-store', 'import', 'Cfg', 's.xml', '--identifier', 'Bag'],
    'config-store import',
    {
      app: 'Cfg',
      file: 's.xml',
      identifier: 'Bag',
      replace: false,
      btdf: false,
      create: false,
      userAccounts: undefined,
      adminAccounts: undefined,
    },
  ],
  [
    'ssokit',
    [
      'config-store',
      'import',
      'Cfg',
      's.xml',
      '--create',
      '--user-accounts',
      'CORP\\BizUsers',
      '--admin-accounts',
      'CORP\\BizAdmins',
      '--replace',
    ],
    'config-store import',
    {
      app: 'Cfg',
      file: 's.xml',
      identifier: undefined,
      replace: true,
      btdf: false,
      create: true,
      userAccounts: 'CORP\\BizUsers',
      adminAccounts: 'CORP\\BizAdmins',
    },
  ],
  [
    'ssokit',
    ['config-store', 'import', 'Cfg', 's.xml', '--btdf'],
    'config-store import',
    {
      app: 'Cfg',
      file: 's.xml',
      identifier: undefined,
      replace: false,
      btdf: true,
      create: false,
      userAccounts: undefined,
      adminAccounts: undefined,
    },
  ],
  [
    'ssokit',
    ['config-store', 'export', 'Cfg', '--output', 'o.json', '--include-masked'],
    'config-store export',
    {
      app: 'Cfg',
      identifier: undefined,
      output: 'o.json',
      format: undefined,
      includeMasked: true,
      force: false,
      btdf: false,
    },
  ],
  [
    'ssokit',
    ['config-store', 'export', 'Cfg', '--btdf', '--format', 'xml'],
    'config-store export',
    {
      app: 'Cfg',
      identifier: undefined,
      output: undefined,
      format: 'xml',
      includeMasked: false,
      force: false,
      btdf: true,
    },
  ],
  // audit
  ['ssokit', ['audit', 'list', '--kind', 'lookups', '--limit', '5'], 'audit list', { kind: 'lookups', limit: '5' }],
  // business systems and settings
  [
    'ssokit',
    ['bizsys', 'add', 'shop', '--public-url', 'https://s.example.com', '--path', '/a', '--path', '/b', '--no-ssl'],
    'bizsys add',
    { name: 'shop', publicUrl: 'https://s.example.com', ...BIZSYS_SETTINGS, path: ['/a', '/b'], ssl: false },
  ],
  ['ssokit', ['bizsys', 'list'], 'bizsys list', {}],
  ['ssokit', ['bizsys', 'show', 'shop'], 'bizsys show', { name: 'shop' }],
  [
    'ssokit',
    ['bizsys', 'update', 'shop', '--add-path', '/c', '--ssl', '--sso-failover-enabled', 'true'],
    'bizsys update',
    {
      name: 'shop',
      publicUrl: undefined,
      addPath: ['/c'],
      removePath: [],
      removeFile: [],
      ...BIZSYS_SETTINGS,
      ssl: true,
      ssoFailoverEnabled: 'true',
    },
  ],
  ['ssokit', ['bizsys', 'remove', 'shop'], 'bizsys remove', { name: 'shop' }],
  ['ssokit', ['get', 'bizsys.*.ssl'], 'get', { name: 'bizsys.*.ssl' }],
  // single sign-on entries
  ['ssokit', ['sso', 'list'], 'sso list', { bizsys: undefined, user: undefined, limit: undefined }],
  [
    'ssokit',
    ['sso', 'list', '--bizsys', 'shop', '--user', 'alice', '--limit', '10'],
    'sso list',
    { bizsys: 'shop', user: 'alice', limit: '10' },
  ],
  ['ssokit', ['sso', 'show', '0123456789abcdef'], 'sso show', { id: '0123456789abcdef' }],
  ['ssokit', ['sso', 'invalidate', '0123456789abcdef'], 'sso invalidate', { id: '0123456789abcdef' }],
  ['ssokit', ['sso', 'reap'], 'sso reap', {}],
  ['ssokit', ['set', 'a.b=1', 'c.d=2'], 'set', { assignments: ['a.b=1', 'c.d=2'] }],
  // environment bundles
  [
    'ssokit',
    ['clone', '-p', 'e.bundle', '--include-secret'],
    'clone',
    {
      p: 'e.bundle',
      c: undefined,
      file: undefined,
      includeSecret: true,
      force: false,
      deleteBundle: false,
      keepBundle: false,
    },
  ],
  [
    'ssokit',
    ['clone', '-c', '-f', 'e.bundle', '--delete-bundle'],
    'clone',
    {
      p: undefined,
      c: true,
      file: 'e.bundle',
      includeSecret: false,
      force: false,
      deleteBundle: true,
      keepBundle: false,
    },
  ],
  [
    'ssokit',
    ['clone', 'export', 'e.bundle', '--force'],
    'clone export',
    { bundle: 'e.bundle', file: undefined, includeSecret: false, force: true },
  ],
  [
    'ssocloneaz',
    ['-p', '-f', '/tmp/e.bundle', '--include-secret'],
    'ssocloneaz -p',
    { bundle: undefined, file: '/tmp/e.bundle', includeSecret: true, force: false },
  ],
  [
    'ssokit',
    ['clone', 'import', 'e.bundle', '--keep-bundle'],
    'clone import',
    { bundle: 'e.bundle', file: undefined, force: false, deleteBundle: false, keepBundle: true },
  ],
  [
    'ssocloneaz',
    ['-c', 'e.bundle', '--force', '--delete-bundle'],
    'ssocloneaz -c',
    { bundle: 'e.bundle', file: undefined, force: true, deleteBundle: true, keepBundle: false },
  ],
  ['ssokit', ['clone', 'inspect', '-f', 'e.bundle'], 'clone inspect', { bundle: undefined, file: 'e.bundle' }],
  // health
  ['ssokit', ['check'], 'check', {}],
];

/** How a row names its command: the modern name, or `tool -originalName`. */
function spelling(def: CommandDef, tool: ToolName, argv: readonly string[]): string {
  if (tool === 'ssokit') return def.name ?? '(none)';
  const typed = argv
    .find((a) => /^-[A-Za-z]+$/.test(a))!
    .slice(1)
    .toLowerCase();
  const original = def.original.find((o) => o.tool === tool && o.name.toLowerCase() === typed);
  return `${tool} -${original?.name ?? '(none)'}`;
}

describe('command lines → the options their handler receives', () => {
  test.each(ROWS)('%s %j', (tool, argv, command, options) => {
    const parsed = parseCommandLine(tool, argv);
    if (parsed.kind !== 'command') throw new Error(`expected a command, got text:\n${parsed.text}`);
    expect(spelling(parsed.def, tool, argv)).toBe(command);
    expect(parsed.values).toStrictEqual(options);
  });

  test('every command, in every spelling it has, is in the table above', () => {
    const covered = new Set(ROWS.map(([, , command]) => command));
    const spellings = ALL_COMMANDS.flatMap((def) => [
      ...(def.name ? [def.name] : []),
      ...def.original.map((o) => `${o.tool} -${o.name}`),
    ]);
    expect(spellings.filter((s) => !covered.has(s))).toEqual([]);
  });
});

describe('global options, before or after the command, in either syntax', () => {
  test('modern: before and after the verb', () => {
    const parsed = parseCommandLine('ssokit', [
      '--home',
      '/h',
      'secret',
      'restore',
      'x.bak',
      '--password-file',
      '-',
      '--json',
      '--no-color',
    ]);
    if (parsed.kind !== 'command') throw new Error('expected a command');
    expect(parsed.globals).toStrictEqual({
      home: '/h',
      db: undefined,
      dbPasswordFile: undefined,
      nodeName: undefined,
      passwordFile: '-',
      json: true,
      color: false,
      yes: false,
      debug: false,
      service: undefined,
    });
  });

  test('original: after the option', () => {
    const parsed = parseCommandLine('ssomanage', ['-displaydb', '--db', '/s.sqlite', '--debug', '-y']);
    if (parsed.kind !== 'command') throw new Error('expected a command');
    expect(parsed.globals).toMatchObject({ db: '/s.sqlite', debug: true, yes: true, color: undefined, json: false });
  });
});

describe('help and version are text, for every tool and every spelling of help', () => {
  const tools: ToolName[] = ['ssokit', 'ssoconfig', 'ssomanage', 'ssoclient', 'ssocloneaz'];
  test.each(tools.flatMap((tool) => ['--help', '-help', '-?', '/?'].map((word) => [tool, word] as const)))(
    '%s %s',
    (tool, word) => {
      const parsed = parseCommandLine(tool, [word]);
      expect(parsed.kind).toBe('text');
      if (parsed.kind === 'text')
        expect(parsed.text).toMatch(tool === 'ssokit' ? /Usage: ssokit/ : `${tool} commands -`);
    },
  );

  test.each(['ssoconfig', 'ssomanage', 'ssoclient', 'ssocloneaz'] as const)('%s -version and --version', (tool) => {
    for (const word of ['-version', '--version']) {
      const parsed = parseCommandLine(tool, [word]);
      expect(parsed).toEqual({ kind: 'text', text: expect.stringMatching(/^\S+ \(ssokit \d+\.\d+\.\d+\)\n$/) });
    }
  });

  test('ssokit --version, and help on a verb lists only the global options that apply', () => {
    expect(parseCommandLine('ssokit', ['--version'])).toEqual({
      kind: 'text',
      text: expect.stringMatching(/^\d+\.\d+\.\d+\n$/),
    });
    const restore = parseCommandLine('ssokit', ['secret', 'restore', '-?']);
    const status = parseCommandLine('ssokit', ['secret', 'status', '--help']);
    if (restore.kind !== 'text' || status.kind !== 'text') throw new Error('expected help');
    expect(restore.text).toMatch(/Global Options:[\s\S]*--home <dir>[\s\S]*--password-file <file>[\s\S]*--json/);
    expect(status.text).toMatch(/Global Options:[\s\S]*--json/);
    expect(status.text).not.toContain('--password-file');
  });

  test('an original option shows its own usage', () => {
    const parsed = parseCommandLine('ssoconfig', ['-restoreSecret', '-?']);
    if (parsed.kind !== 'text') throw new Error('expected help');
    expect(parsed.text).toMatch(/^usage: ssoconfig -restoreSecret <restore file>\n/);
    expect(parsed.text).toContain('--password-file <file>');
  });
});

describe('bad command lines get one usage error, with a reason and a hint', () => {
  const refused: [ToolName, string[], RegExp, RegExp][] = [
    ['ssokit', ['secrt'], /^unknown command 'secrt'$/, /^did you mean secret\?$/],
    ['ssokit', ['secret', 'bakup'], /^unknown command 'bakup'$/, /^did you mean backup\?$/],
    ['ssokit', ['secret'], /^ssokit secret needs a command: backup, restore/, /ssokit secret --help/],
    ['ssokit', [], /^which command\?$/, /ssokit --help/],
    ['ssokit', ['secret', 'backup'], /missing required argument 'backup file'/, /--help/],
    ['ssokit', ['secret', 'backup', 'a', 'b'], /too many arguments/, /--help/],
    ['ssokit', ['secret', 'backup', 'x.bak', '--password', 'p'], /^unknown option '--password'$/, /--password-file/],
    ['ssokit', ['app', 'list', '--dry-rn'], /^unknown option '--dry-rn'$/, /--help/],
    [
      'ssoconfig',
      ['-backupsecrt', 'x'],
      /^unknown option -backupsecrt for ssoconfig$/,
      /^did you mean -backupSecret\?$/,
    ],
    ['ssoconfig', ['-frobnicate'], /^unknown option -frobnicate for ssoconfig$/, /ssoconfig -help/],
    ['ssoconfig', [], /^ssoconfig needs an option/, /ssoconfig -help/],
    ['ssoconfig', ['-backupSecret', 'x.bak', '-password', 'p'], /^unknown option '-password'$/, /--password-file/],
    [
      'ssokit',
      ['secret', 'backup', 'x.bak', '--password=hunter22'],
      /^unknown option '--password=…'$/,
      /--password-file/,
    ],
    ['ssokit', ['check', '--frob=hunter22'], /^unknown option '--frob=…'$/, /--help/],
    ['ssomanage', ['-listmappings'], /missing required argument/, /ssomanage -help/],
    ['ssocloneaz', ['-x'], /^unknown option -x for ssocloneaz$/, /-help|did you mean/],
  ];
  test.each(refused)('%s %j', (tool, argv, message, hint) => {
    let error: unknown;
    try {
      parseCommandLine(tool, argv);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SsoError);
    const usage = error as SsoError;
    expect(usage.code).toBe('USAGE');
    expect(usage.message).toMatch(message);
    expect(usage.message).not.toContain('\n');
    expect(usage.hint).toMatch(hint);
  });
});

describe('hints are spelled from the table, in the syntax in use', () => {
  const cases: [ToolName, CommandRef, string][] = [
    ['ssokit', command('secret restore', 'FILE'), 'ssokit secret restore FILE'],
    ['ssoconfig', command('secret restore', 'FILE'), 'ssoconfig -restoreSecret FILE'],
    // Another original tool's spelling beats the modern one for someone in the original syntax.
    ['ssomanage', command('secret restore', 'FILE'), 'ssoconfig -restoreSecret FILE'],
    ['ssokit', command('secret rotate', option('backup', 'FILE')), 'ssokit secret rotate --backup FILE'],
    ['ssoconfig', command('secret rotate', option('backup', 'FILE')), 'ssoconfig -generateSecret FILE'],
    ['ssomanage', command('app list', option('all')), 'ssomanage -listapps all'],
    ['ssokit', command('mapping disable', 'CORP\\a', 'App'), 'ssokit mapping disable CORP\\a App'],
    ['ssomanage', command('mapping disable', 'CORP\\a', 'App'), 'ssomanage -disablemapping CORP\\a App'],
    ['ssoconfig', command('join', option('db', 'PATH')), 'ssoconfig -setDB --db PATH'],
    ['ssoconfig', command('secret status'), 'ssokit secret status'],
    ['ssocloneaz', command('clone export', 'FILE', option('include-secret')), 'ssocloneaz -p FILE --include-secret'],
  ];
  test.each(cases)('%s: %j', (tool, ref, spelled) => {
    expect(remedy`${ref}`.spell(tableSpeller(tool))).toBe(spelled);
  });
});
