// src/core/manage/app-resolver.ts: the one way a file's application names are looked up.

import { AppResolver, noSuchApp } from '../../src/core/manage/app-resolver.js';
import { createApplicationsFromFile } from '../../src/core/manage/apps.js';
import { roleCheck } from '../../src/core/shared/roles.js';
import type { Queryable } from '../../src/store/store.js';
import { asCaller, systemPerTest } from '../helpers/system.js';
import { appXml, xmlFile } from '../helpers/xml.js';

const t = systemPerTest();
beforeEach(async () => {
  await createApplicationsFromFile(
    t.sys.ctx,
    xmlFile(
      t.dir.path,
      'apps.xml',
      appXml([
        { name: 'Payroll' },
        {
          name: 'Team',
          extra: '<appUserAccount>CORP\\AppUsers</appUserAccount><appAdminAccount>teamadmins</appAdminAccount>',
        },
      ]),
    ),
  );
});

/** The store, counting the queries made through it. */
function counting(q: Queryable): { q: Queryable; count: () => number } {
  let n = 0;
  const counted = new Proxy(q, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        n++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { q: counted, count: () => n };
}

test('finds an application by any case of its name, once per command', async () => {
  const store = counting(t.sys.ctx.store);
  const apps = new AppResolver(store.q, await roleCheck(t.sys.ctx), 'creating mappings');
  const first = await apps.get('payroll');
  expect(first?.name).toBe('Payroll');
  const queries = store.count();
  expect(await apps.get('PAYROLL')).toBe(first);
  expect(await apps.get('Payroll')).toBe(first);
  expect(store.count()).toBe(queries);
});

test('a name that is no application is null, remembered too, and reported in Enterprise SSO words', async () => {
  const store = counting(t.sys.ctx.store);
  const apps = new AppResolver(store.q, await roleCheck(t.sys.ctx), 'creating mappings');
  expect(await apps.get('Nope')).toBeNull();
  const queries = store.count();
  expect(await apps.get('NOPE')).toBeNull();
  expect(store.count()).toBe(queries);
  expect(noSuchApp('Nope')).toBe('application "Nope": The application does not exist.');
});

test('an application the caller does not administer is refused, every time it is asked for', async () => {
  const admin = asCaller(t.sys.ctx, 'alice', ['teamadmins']);
  const apps = new AppResolver(admin.store, await roleCheck(admin), 'importing credentials');
  expect((await apps.get('team'))?.name).toBe('Team');
  for (let i = 0; i < 2; i++) {
    await expect(apps.get('payroll')).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      message: expect.stringMatching(/^access denied: importing credentials for application "Payroll" needs/),
    });
  }
});
