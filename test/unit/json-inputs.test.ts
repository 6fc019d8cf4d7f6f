// The JSON inputs read through src/json/json-reader.ts: each reports every problem at once,
// with its place, under the error code it has always had.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAnswersFile } from '../../src/cli/setup/answers-file.js';
import { MANIFEST_FORMAT, parseManifest } from '../../src/core/clone/manifest.js';
import { homePaths } from '../../src/node/home.js';
import { readNodeConfig } from '../../src/node/node-config.js';
import { failure } from '../helpers/failure.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

const rejected = (work: () => unknown) => failure(Promise.resolve().then(work));

describe('node.json', () => {
  const write = (text: string) => {
    const paths = homePaths(dir.path);
    writeFileSync(paths.nodeFile, text);
    return paths;
  };

  test('a syntax error names its line and column', async () => {
    const paths = write('{\n  "format": "ssokit-node/v1",\n  "nodeName": "a"\n  "store": "x"\n}\n');
    const error = await failure(readNodeConfig(paths));
    expect([error.code, error.message, error.hint]).toEqual([
      'BAD_FORMAT',
      `${paths.nodeFile} is not valid JSON: expected "," or "}" at line 4, column 3`,
      'restore it from a copy, or remove it and run ssokit join again',
    ]);
  });

  test('every wrong field is listed', async () => {
    const paths = write(
      JSON.stringify({ format: 'ssokit-node/v1', nodeName: 7, clusterNames: ['a', 2], install: { platform: 'linux' } }),
    );
    const error = await failure(readNodeConfig(paths));
    expect([error.code, error.message]).toEqual([
      'BAD_FORMAT',
      `${paths.nodeFile} is not a readable ssokit-node/v1 file: 7 problems`,
    ]);
    expect(error.details).toEqual([
      'nodeName is not a string',
      'clusterNames[1] is not a string',
      'store is not a string',
      'install.arch is not a string',
      'install.version is not a string',
      'install.edition is not a string',
      'install.installDir is not a string',
    ]);
  });

  test('another format is UNSUPPORTED_VERSION, as before', async () => {
    const error = await failure(readNodeConfig(write(JSON.stringify({ format: 'ssokit-node/v9' }))));
    expect(error.code).toBe('UNSUPPORTED_VERSION');
  });
});

describe('the bundle manifest', () => {
  const good = {
    format: MANIFEST_FORMAT,
    environment: { clusterNames: ['ssocluster'], store: '/srv/sso/ssodb.sqlite' },
    businessSystems: [{ name: 'shop', publicUrl: 'https://shop.example.com:443' }],
    includesSecret: false,
    files: [{ path: 'bizsys/shop/bizsys.json', mode: 384, size: 10, sha256: 'a'.repeat(64) }],
  };
  const parse = (value: unknown) => () => parseManifest(Buffer.from(JSON.stringify(value)));

  test('a good one is read as written', () => {
    expect(parse(good)()).toEqual(good);
  });

  test('every problem at once, BAD_FORMAT', async () => {
    const error = await rejected(
      parse({
        ...good,
        includesSecret: 'no',
        environment: { clusterNames: ['bad name'], store: 'relative.sqlite' },
        files: [{ path: 'bizsys/shop/bizsys.json', mode: 4096, size: -1, sha256: 'x' }],
      }),
    );
    expect([error.code, error.message]).toEqual(['BAD_FORMAT', 'the bundle manifest is not readable: 6 problems']);
    expect(error.details).toEqual([
      'includesSecret is not true or false',
      'environment.store: the store is not an absolute path or a postgres:// URL',
      'environment.clusterNames[0]: the cluster name "bad name" is not a valid host name',
      'files[0].mode is not a whole number from 0 to 511',
      'files[0].size is not a whole number of at least 0',
      'files[0].sha256 is not a SHA-256 in lower-case hexadecimal',
    ]);
  });

  test('a path that may not be written under a home is UNSAFE_ARCHIVE, whatever else is wrong', async () => {
    const error = await rejected(
      parse({ ...good, includesSecret: 1, files: [{ ...good.files[0], path: '/etc/passwd' }] }),
    );
    expect([error.code, error.message]).toEqual([
      'UNSAFE_ARCHIVE',
      'the bundle lists "/etc/passwd": an absolute path; nothing was written',
    ]);
  });
});

describe('setup answers', () => {
  test('a syntax error is placed on the line of the file, comment lines counted', async () => {
    const file = join(dir.path, 'answers.json');
    writeFileSync(file, '// a comment\n// another\n{\n  "mode": "create",\n  "nodeName": "x",,\n}\n');
    const error = await rejected(() => readAnswersFile(file));
    expect([error.code, error.message, error.hint]).toEqual([
      'INVALID_INPUT',
      'answers.json is not JSON: expected a property name in double quotes at line 5, column 19',
      'ssokit setup --print-answers writes a template',
    ]);
  });
});
