/**
 * The hostile corpus's generated inputs ("gen:<name>" in fixtures/hostile/corpus.ts): made
 * at test time into the node's inputs folder, from the node's own backup and bundle, so the
 * only fault of each is the one it is named for. Nothing here is committed, the 200 MB file
 * least of all.
 */

import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header, Pax } from 'tar';
import { parseVector } from '../../fixtures/vectors/secret-backup-vectors.js';
import { parseBundleHeader } from '../../src/crypto/bundle-format.js';
import { systemRng } from '../../src/crypto/random.js';
import { createBackup } from '../../src/crypto/secret-backup-format.js';
import { homePaths } from '../../src/node/home.js';
import { listLocalSecretIds, readLocalSecret } from '../../src/node/local-secrets.js';
import { bizsysFile, type CraftedFile, manifestFor, type TarEntry, tarOf, writeCraftedBundle } from './bundles.js';
import { REPO_ROOT } from './cli.js';
import { HOSTILE_PASSWORD, type HostileNode } from './hostile-node.js';

/** A line of a text file replaced: the first line starting with `prefix`. */
function withLine(bytes: Buffer, prefix: string, line: string): Buffer {
  const text = bytes.toString('latin1');
  const at = text.indexOf(prefix);
  if (at < 0) throw new Error(`no line starting ${prefix}`);
  const end = text.indexOf('\n', at);
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(line, 'latin1'), bytes.subarray(end)]);
}

const file = (path: string, body: string): CraftedFile => ({ path, body: Buffer.from(body) });

/** A 1 MiB block of applications, written 200 times: the file is never held in memory. */
function writeHugeXml(path: string, megabytes: number): void {
  const app = (i: number) =>
    `  <application name="Bulk${i}"><description>d</description><contact>c</contact><appUserAccount>CORP\\u</appUserAccount>` +
    `<appAdminAccount>CORP\\a</appAdminAccount><field ordinal="0" label="User ID" masked="no" /></application>\n`;
  let block = '';
  for (let i = 0; block.length < 2 ** 20; i++) block += app(i);
  const chunk = Buffer.from(block.slice(0, 2 ** 20));
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, '<?xml version="1.0"?>\n<SSO>\n');
    for (let i = 0; i < megabytes; i++) writeSync(fd, chunk);
    writeSync(fd, '</SSO>\n');
  } finally {
    closeSync(fd);
  }
}

/** A pax extended header that renames the entry after it. */
function paxRenamed(realPath: string, claimedPath: string, body: Buffer): Buffer {
  const header = Buffer.alloc(512);
  new Header({
    path: claimedPath,
    type: 'File',
    mode: 0o600,
    size: body.length,
    mtime: new Date('2026-11-01T00:00:00Z'),
  }).encode(header, 0);
  return Buffer.concat([
    new Pax({ path: realPath }).encode(),
    header,
    body,
    Buffer.alloc((512 - (body.length % 512)) % 512),
    Buffer.alloc(1024),
  ]);
}

/** Makes the input `name` (without its "gen:") in the node's inputs folder; returns its path. */
export async function generateInput(node: HostileNode, name: string): Promise<string> {
  const path = join(node.inputs, name);
  const backup = readFileSync(node.backup);
  const bundle = readFileSync(node.bundle);
  const bytes = (data: Buffer | string) => writeFileSync(path, data, { mode: 0o600 });
  const crafted = (entries: TarEntry[] | Buffer, listed: CraftedFile[] = []) =>
    writeCraftedBundle(
      path,
      HOSTILE_PASSWORD,
      manifestFor(listed),
      Buffer.isBuffer(entries) ? entries : tarOf(entries),
    );
  const entry = (path: string, type: TarEntry['type'] = 'File', linkpath?: string): TarEntry => ({
    path,
    type,
    body: Buffer.from('x'),
    ...(linkpath ? { linkpath } : {}),
  });
  switch (name) {
    case 'deep.xml':
      bytes(`<?xml version="1.0"?>\n<SSO>${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}</SSO>\n`);
      return path;
    case 'huge.xml':
      writeHugeXml(path, 200);
      return path;
    case 'fifo':
      if (spawnSync('mkfifo', [path]).status !== 0) throw new Error('mkfifo failed');
      return path;
    case 'kdf-log2n.bak':
      bytes(withLine(backup, 'kdf: ', 'kdf: scrypt 19 8 1'));
      return path;
    case 'kdf-r.bak':
      bytes(withLine(backup, 'kdf: ', 'kdf: scrypt 10 17 1'));
      return path;
    case 'kdf-p.bak':
      bytes(withLine(backup, 'kdf: ', 'kdf: scrypt 10 8 5'));
      return path;
    case 'kdf-memory.bak':
      bytes(withLine(backup, 'kdf: ', 'kdf: scrypt 18 16 1'));
      return path;
    case 'version-2.bak':
    case 'version-999999.bak':
    case 'version-0.bak':
      bytes(withLine(backup, 'ssokit/secret-backup/', `ssokit/secret-backup/v${name.slice(8, -4)}`));
      return path;
    case 'crlf.bak':
      bytes(backup.toString('latin1').replaceAll('\n', '\r\n'));
      return path;
    case 'bom.bak':
      bytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), backup]));
      return path;
    case 'oversize.bak':
      bytes(Buffer.concat([backup, Buffer.alloc(65 * 1024, 0x41)]));
      return path;
    case 'line-twice.bak': {
      const salt = /^salt: .*\n/m.exec(backup.toString('latin1'))![0];
      bytes(withLine(backup, 'salt: ', salt + salt.slice(0, -1)));
      return path;
    }
    case 'escape-reminder.bak': {
      // Well made (a real mac) around the node's own secret, under another password.
      const paths = homePaths(node.home);
      const [id] = await listLocalSecretIds(paths);
      const local = (await readLocalSecret(paths, id!))!;
      const reminder = '\u001b]0;owned\u0007\u001b[2J\u001b[31mreminder';
      bytes(
        Buffer.from(
          await createBackup({
            current: local.secret,
            previous: null,
            generation: local.generation,
            reminder,
            password: 'another-password-9',
            kdf: { log2N: 10, r: 8, p: 1 },
            rng: systemRng,
            now: new Date(),
          }),
        ),
      );
      return path;
    }
    case 'wrong-pw':
      bytes('not-the-password\n');
      return path;
    case 'kdf.bundle':
      bytes(withLine(bundle, 'kdf: ', 'kdf: scrypt 19 8 1'));
      return path;
    case 'version-2.bundle':
      bytes(withLine(bundle, 'ssokit/bundle/', 'ssokit/bundle/v2'));
      return path;
    case 'header-only.bundle':
      bytes(bundle.subarray(0, parseBundleHeader(bundle).payloadOffset));
      return path;
    case 'chunk-appended.bundle':
      bytes(Buffer.concat([bundle, bundle.subarray(bundle.length - 64)]));
      return path;
    case 'tar-absolute.bundle':
      await crafted([entry('/tmp/ssokit-hostile-escape')]);
      return path;
    case 'tar-dotdot.bundle':
      await crafted([entry('bizsys/../../ssokit-hostile-escape')]);
      return path;
    case 'tar-symlink-absolute.bundle':
      await crafted([entry('bizsys/shop/files/shadow', 'SymbolicLink', '/etc/shadow')]);
      return path;
    case 'tar-symlink-relative.bundle':
      await crafted([entry('bizsys/shop/files/up', 'SymbolicLink', '../../../../../../..')]);
      return path;
    case 'tar-hardlink-absolute.bundle':
      await crafted([entry('bizsys/shop/files/shadow', 'Link', '/etc/shadow')]);
      return path;
    case 'tar-hardlink-secret.bundle':
      await crafted([entry('bizsys/shop/files/secret', 'Link', '../node/secret')]);
      return path;
    case 'tar-chardev.bundle':
      await crafted([entry('bizsys/shop/files/null', 'CharacterDevice')]);
      return path;
    case 'tar-blockdev.bundle':
      await crafted([entry('bizsys/shop/files/sda', 'BlockDevice')]);
      return path;
    case 'tar-fifo.bundle':
      await crafted([entry('bizsys/shop/files/pipe', 'FIFO')]);
      return path;
    case 'tar-directory.bundle':
      await crafted([entry('bizsys/shop/', 'Directory')]);
      return path;
    case 'tar-long-name.bundle':
      await crafted([entry(`bizsys/shop/files/${'n'.repeat(300)}`)]);
      return path;
    case 'tar-long-path.bundle':
      await crafted([entry(`bizsys/shop/${`${'d'.repeat(200)}/`.repeat(21)}f`)]);
      return path;
    case 'tar-backslash.bundle':
      await crafted([entry('bizsys/shop/files/..\\..\\escape')]);
      return path;
    case 'tar-control.bundle':
      await crafted([entry('bizsys/shop/files/a\u001b[2Jb')]);
      return path;
    case 'tar-hidden.bundle':
      await crafted([entry('bizsys/shop/.profile')]);
      return path;
    case 'tar-outside.bundle':
      await crafted([entry('node.json')]);
      return path;
    case 'tar-twice.bundle': {
      const shop = bizsysFile('shop', 'https://shop.example.com:443');
      await crafted([shop, shop], [shop]);
      return path;
    }
    case 'tar-file-and-folder.bundle':
      await crafted([entry('bizsys/shop/files/x'), entry('bizsys/shop/files/x/y')]);
      return path;
    case 'tar-secret.bundle':
      await crafted([entry('secret/00000000-0000-0000-0000-000000000000.secret')]);
      return path;
    case 'tar-unlisted.bundle':
      await crafted([bizsysFile('shop', 'https://shop.example.com:443')]);
      return path;
    case 'tar-manifest-absolute.bundle':
      await crafted([], [file('/etc/passwd', 'root:x:0:0')]);
      return path;
    case 'tar-pax-escape.bundle':
      await crafted(paxRenamed('bizsys/../../ssokit-hostile-escape', 'bizsys/shop/files/innocent', Buffer.from('x')));
      return path;
    case 'tar-gzip.bundle':
      await crafted(gzipSync(tarOf([bizsysFile('shop', 'https://shop.example.com:443')])));
      return path;
    case 'tar-wrong-hash.bundle': {
      const listed = file('bizsys/shop/files/a', 'what the manifest says');
      await crafted([{ path: listed.path, body: Buffer.from('what the archive holds') }], [listed]);
      return path;
    }
    default:
      throw new Error(`no generator for gen:${name}`);
  }
}

/** A test vector's file body ("vector:secret-backup/good"). */
export function vectorInput(node: HostileNode, name: string): string {
  const path = join(node.inputs, `vector-${name.replace('/', '-')}`);
  writeFileSync(path, parseVector(readFileSync(join(REPO_ROOT, 'fixtures/vectors', `${name}.vector`))).body, {
    mode: 0o600,
  });
  return path;
}
