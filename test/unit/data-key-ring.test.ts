// A command that loaded its keyring before another process rotated the master secret.

import { join } from 'node:path';
import { DataKeyRing, openDataKeyRing } from '../../src/core/secret/data-keys.js';
import { loadMasterKeyring } from '../../src/core/secret/keyring.js';
import { rotateSecret } from '../../src/core/secret/rotate.js';
import { newSystem, PASSWORD, seedCredentials } from '../helpers/system.js';
import { tempDir } from '../helpers/temp-dir.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

test('a ring follows a rotation committed after it was opened; a fixed keyring cannot', async () => {
  const sys = await newSystem(dir.path);
  await seedCredentials(sys.ctx, 1, 1);
  const following = await openDataKeyRing(sys.ctx, 'decrypt', 'reading');
  const fixed = new DataKeyRing(await loadMasterKeyring(sys.ctx, 'reading'));
  const backup = { password: PASSWORD, reminder: 'r', overwrite: false };
  await rotateSecret(sys.ctx, { ...backup, path: join(dir.path, 'r1.bak') });
  await rotateSecret(sys.ctx, { ...backup, path: join(dir.path, 'r2.bak') });
  expect((await following.activeFor(sys.ctx.store, 1)).key).toHaveLength(32);
  await expect(fixed.activeFor(sys.ctx.store, 1)).rejects.toMatchObject({ code: 'NO_SECRET' });
  await sys.ctx.store.close();
});
