// The hostile input corpus (fixtures/hostile/corpus.ts), run by one loop through the built
// binaries against a real node: each input is refused with its documented status and a
// one-line error, no stack trace, and the home, the store (file hashes and a dump of every
// table) and the input itself exactly as they were. The families — a backup or bundle cut
// at every header offset or with any byte flipped — run in two ways: every variant through
// the in-process core readers (thousands, judged against the spec's table of outcomes per
// line), and a seeded sample of each through the binaries (judged against the core readers).

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  HOSTILE_CASES,
  HOSTILE_FAMILIES,
  type HostileCase,
  type HostileFamily,
  type HostileKind,
} from '../../fixtures/hostile/corpus.js';
import { parseVector } from '../../fixtures/vectors/secret-backup-vectors.js';
import { parseBundleHeader } from '../../src/crypto/bundle-format.js';
import { parseBackup } from '../../src/crypto/secret-backup-format.js';
import { ERROR_CODES, type ErrorCode } from '../../src/errors.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { generateInput, vectorInput } from '../helpers/hostile-inputs.js';
import {
  changesBetween,
  HOSTILE_PASSWORD,
  type HostileNode,
  makeHostileNode,
  snapshotNode,
} from '../helpers/hostile-node.js';
import {
  BACKUP_REGION_OUTCOMES,
  BUNDLE_REGION_OUTCOMES,
  backupOutcome,
  bundleHeaderOutcome,
  bundleOutcome,
  bundleRegionAt,
  flips,
  lineNameAt,
  type Outcome,
  range,
  sampleOf,
  truncations,
  type Variant,
} from '../helpers/hostile-variants.js';
import { judgeRefusal } from '../helpers/hostile-verdict.js';

let node: HostileNode;
let scratch: string;
const generated = new Map<string, Promise<string>>();

beforeAll(() => {
  node = makeHostileNode();
  scratch = join(node.dir, 'scratch');
  mkdirSync(scratch, { recursive: true });
  writeFileSync(join(node.inputs, 'wrong-pw'), 'not-the-password\n', { mode: 0o600 });
}, 60_000);
afterAll(() => node?.cleanup());

/** A case ready to run: its input made, its expected code decided. */
interface Runnable {
  name: string;
  input: string | null;
  run: string[];
  code: ErrorCode;
  says: string;
  knownBug?: string;
}

async function inputPath(input: string | undefined): Promise<string | null> {
  if (input === undefined) return null;
  if (input === '{BACKUP}') return node.backup;
  if (input === '{BUNDLE}') return node.bundle;
  if (input.startsWith('vector:')) return vectorInput(node, input.slice('vector:'.length));
  if (!input.startsWith('gen:')) return join(REPO_ROOT, 'fixtures', input);
  const name = input.slice('gen:'.length);
  if (!generated.has(name)) generated.set(name, generateInput(node, name));
  return generated.get(name)!;
}

async function runnable(c: HostileCase): Promise<Runnable> {
  return {
    name: c.name,
    input: await inputPath(c.input),
    run: c.run,
    code: c.code,
    says: c.says,
    ...(c.knownBug ? { knownBug: c.knownBug } : {}),
  };
}

function argvFor(r: Runnable): string[] {
  const wrongPassword = join(node.inputs, 'wrong-pw');
  return r.run.map((arg) =>
    arg
      .replace('{FILE}', r.input ?? '')
      .replace('{HOME}', node.home)
      .replace('{FRESH}', node.fresh)
      .replace('{WRONG_PW}', wrongPassword)
      .replace('{PW}', node.passwordFile),
  );
}

/** Size and time of an input file: a refused command must not delete or touch it (--delete-bundle). */
function inputState(path: string | null): string {
  if (path === null || !existsSync(path)) return 'none';
  const stat = statSync(path);
  return stat.isFile() ? `${stat.size} ${stat.mtimeMs}` : 'not a file';
}

/** Runs one case; returns its problems (empty: the case holds). */
function runCase(r: Runnable): string[] {
  const [tool = '', ...args] = argvFor(r);
  const inputBefore = inputState(r.input);
  const before = snapshotNode(node);
  const result = node.run(tool!, args);
  const after = snapshotNode(node);
  const verdict = judgeRefusal(tool!, result, r.code, r.says);
  const changes = changesBetween(before, after, r.code);
  if (inputState(r.input) !== inputBefore) changes.push('the input file was changed or removed');
  const problems = [...verdict.status, ...changes];
  if (r.knownBug) {
    // The bug must still show (in the output), and nothing else may be wrong.
    if (verdict.stderr.length === 0) problems.push(`the known bug no longer shows: remove knownBug (${r.knownBug})`);
  } else problems.push(...verdict.stderr);
  return problems.map(
    (p) =>
      `${r.name}: ${p}\n    $ ${[tool, ...args].map((a) => (a.length > 80 ? `${a.slice(0, 60)}…` : a)).join(' ')}\n    ${result.stderr.trim().split('\n').join('\n    ')}`,
  );
}

/** A family's variants: every one for the in-process loop; `sample` of them go to the binary. */
function familyVariants(make: HostileFamily['make']): Variant[] {
  const backup = readFileSync(node.backup);
  const bundle = readFileSync(node.bundle);
  const { payloadOffset } = parseBundleHeader(bundle);
  switch (make) {
    case 'backup-truncations':
      return truncations(backup, 0, backup.length);
    case 'backup-flips':
      return flips(backup, range(0, backup.length), 'hostile backup flips');
    case 'bundle-truncations':
      return truncations(bundle, 0, payloadOffset);
    case 'bundle-payload-truncations':
      return truncations(bundle, payloadOffset, bundle.length);
    case 'bundle-flips':
      return flips(bundle, range(0, bundle.length), 'hostile bundle flips');
  }
}

async function familyCases(family: HostileFamily): Promise<Runnable[]> {
  const storeSecretId = parseBackup(readFileSync(node.backup)).header.currentId;
  const sample = sampleOf(familyVariants(family.make), family.sample, `sample of ${family.name}`);
  const cases: Runnable[] = [];
  for (const [i, variant] of sample.entries()) {
    const path = join(
      node.inputs,
      `${family.name.replace(/[^a-z]+/g, '-')}${i}${family.kind === 'bundle' ? '.bundle' : '.bak'}`,
    );
    writeFileSync(path, variant.bytes, { mode: 0o600 });
    let code: Outcome;
    if (family.code !== 'oracle') code = family.code;
    else {
      code =
        family.kind === 'bundle'
          ? await bundleOutcome(variant.bytes, HOSTILE_PASSWORD, scratch)
          : await backupOutcome(
              variant.bytes,
              HOSTILE_PASSWORD,
              storeSecretId,
              family.run[0] === 'ssoconfig' ? 'restore' : 'verify',
            );
    }
    if (code === 'success') throw new Error(`${family.name}, ${variant.label}: the core readers accept it`);
    cases.push({ name: `${family.name}, ${variant.label}`, input: path, run: family.run, code, says: family.says });
  }
  return cases;
}

const KINDS: HostileKind[] = ['xml', 'file', 'backup', 'bundle', 'tar', 'argv'];
const figures: Record<string, { cases: number; ms: number; byStatus: Record<number, number> }> = {};

describe('the corpus, through the binaries', () => {
  test.each(KINDS)(
    '%s inputs are refused, each with its status and one error, the node unchanged',
    async (kind) => {
      const started = Date.now();
      const cases = await Promise.all(HOSTILE_CASES.filter((c) => c.kind === kind).map(runnable));
      for (const family of HOSTILE_FAMILIES.filter((f) => f.kind === kind)) cases.push(...(await familyCases(family)));
      expect(cases.length).toBeGreaterThan(0);
      const problems = cases.flatMap(runCase);
      const byStatus: Record<number, number> = {};
      for (const c of cases) byStatus[ERROR_CODES[c.code].exit] = (byStatus[ERROR_CODES[c.code].exit] ?? 0) + 1;
      figures[kind] = { cases: cases.length, ms: Date.now() - started, byStatus };
      expect(problems).toEqual([]);
    },
    120_000,
  );

  test('every case has a unique name, and every committed input exists', () => {
    const names = [...HOSTILE_CASES.map((c) => c.name), ...HOSTILE_FAMILIES.map((f) => f.name)];
    expect(names.length).toBe(new Set(names).size);
    for (const c of HOSTILE_CASES) {
      if (c.input && !/^(gen:|vector:|\{)/.test(c.input))
        expect([c.input, existsSync(join(REPO_ROOT, 'fixtures', c.input))]).toEqual([c.input, true]);
    }
  });
});

/** Every variant through the core readers: judged against the spec's outcomes per line. */
describe('every variant, through the core readers', () => {
  const tally: Record<string, number> = {};
  const count = (what: string, outcome: Outcome) =>
    (tally[`${what} ${outcome}`] = (tally[`${what} ${outcome}`] ?? 0) + 1);

  const vectors = (kind: string, names: string[]) =>
    names.map((name) => ({
      name,
      ...parseVector(readFileSync(join(REPO_ROOT, 'fixtures/vectors', kind, `${name}.vector`))),
    }));

  test('secret backups cut at every offset are unreadable (BAD_FORMAT), never anything else', async () => {
    const files = [
      ...vectors('secret-backup', ['good', 'good-single-secret']).map((v) => v.body),
      readFileSync(node.backup),
    ];
    const wrong: string[] = [];
    for (const file of files) {
      for (const variant of truncations(file, 0, file.length)) {
        const outcome = await backupOutcome(variant.bytes, HOSTILE_PASSWORD, '-', 'verify');
        count('backup cut', outcome);
        if (outcome !== 'BAD_FORMAT') wrong.push(`${variant.label}: ${outcome}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('secret backups with any one byte flipped (a seeded mask, and the low bit) are refused as the spec says for that line', async () => {
    const wrong: string[] = [];
    for (const { name, fields, body } of vectors('secret-backup', ['good', 'good-single-secret'])) {
      const variants = [
        ...flips(body, range(0, body.length), `flips of ${name}`),
        ...flips(body, range(0, body.length), '', 0x01),
      ];
      for (const variant of variants) {
        const line = lineNameAt(body, variant.at);
        const outcome = await backupOutcome(variant.bytes, fields.password!, fields.current!, 'verify');
        count(`backup flip in ${line}`, outcome);
        if (!BACKUP_REGION_OUTCOMES[line]?.includes(outcome))
          wrong.push(`${name}, ${variant.label} (${line}): ${outcome}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 60_000);

  test('bundle headers cut at every offset are unreadable (BAD_FORMAT)', async () => {
    const files = [...vectors('bundle', ['good', 'good-three-chunks']).map((v) => v.body), readFileSync(node.bundle)];
    const wrong: string[] = [];
    for (const file of files) {
      for (const variant of truncations(file, 0, parseBundleHeader(file).payloadOffset)) {
        const outcome = await bundleHeaderOutcome(variant.bytes, HOSTILE_PASSWORD);
        count('bundle header cut', outcome);
        if (outcome !== 'BAD_FORMAT') wrong.push(`${variant.label}: ${outcome}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('bundle headers with any one byte flipped (a seeded mask, and the low bit) are refused as the spec says for that line', async () => {
    const wrong: string[] = [];
    for (const { name, fields, body } of vectors('bundle', ['good', 'good-three-chunks'])) {
      const { payloadOffset } = parseBundleHeader(body);
      const variants = [
        ...flips(body, range(0, payloadOffset), `flips of ${name}`),
        ...flips(body, range(0, payloadOffset), '', 0x01),
      ];
      for (const variant of variants) {
        const line = bundleRegionAt(body, payloadOffset, variant.at);
        const outcome = await bundleHeaderOutcome(variant.bytes, fields.password!);
        count(`bundle flip in ${line}`, outcome);
        if (!BUNDLE_REGION_OUTCOMES[line]?.includes(outcome))
          wrong.push(`${name}, ${variant.label} (${line}): ${outcome}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 60_000);

  // The whole import reader (header, password, STREAM, frames, tar, manifest) per variant
  // costs a worker thread and a staging folder: 64 seeded cuts and 64 seeded flips of the
  // payload, on top of the header's every offset above.
  test('bundle payloads cut or flipped anywhere are damaged (DAMAGED_FILE), nothing staged', async () => {
    const bundle = readFileSync(node.bundle);
    const { payloadOffset } = parseBundleHeader(bundle);
    const variants = [
      ...sampleOf(truncations(bundle, payloadOffset, bundle.length), 64, 'payload cuts'),
      ...sampleOf(flips(bundle, range(payloadOffset, bundle.length), 'payload flips'), 64, 'payload flips sample'),
    ];
    const wrong: string[] = [];
    for (const variant of variants) {
      const outcome = await bundleOutcome(variant.bytes, HOSTILE_PASSWORD, scratch);
      count('bundle payload', outcome);
      if (outcome !== 'DAMAGED_FILE') wrong.push(`${variant.label}: ${outcome}`);
    }
    expect(wrong).toEqual([]);
    expect(readdirSync(scratch).filter((n) => n.startsWith('staging-'))).toEqual([]);
  }, 60_000);

  afterAll(() => {
    // The figures docs/reliability.md quotes: variants per outcome, and the binary runs.
    if (process.env.SSOKIT_HOSTILE_FIGURES)
      console.log(JSON.stringify({ inProcess: tally, binaries: figures }, null, 2));
  });
});
