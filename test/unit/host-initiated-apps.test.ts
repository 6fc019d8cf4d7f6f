// Host-initiated applications validate the external password by default (Enterprise SSO's
// "Validating Passwords for Host Initiated SSO"); validatePassword="no" turns it off. The
// issue "Real BizTalk files", item 8.
import { findApp } from '../../src/core/manage/app-model.js';
import { createApplicationsFromFile, displayApplication } from '../../src/core/manage/apps.js';
import { hasFlag, SSO_FLAG } from '../../src/core/shared/flags.js';
import { fixture, systemPerTest } from '../helpers/system.js';
import { appXml, xmlFile } from '../helpers/xml.js';

const t = systemPerTest();
const validates = async (name: string) =>
  hasFlag((await findApp(t.sys.ctx.store, name))!.flags, SSO_FLAG.SSO_VERIFY_EXTERNAL_CREDS);

test('a host group application (<windowsAccount>) validates passwords: the SDK sample', async () => {
  await createApplicationsFromFile(t.sys.ctx, fixture('xml', 'HostGroupApplication.xml'));
  expect(await validates('SSOApp_HostGroupApp1')).toBe(true);
  // displayApplication returns the flags, which is what `app show --json` prints
  const shown = await displayApplication(t.sys.ctx, 'SSOApp_HostGroupApp1');
  expect(shown.flags & SSO_FLAG.SSO_VERIFY_EXTERNAL_CREDS).toBe(SSO_FLAG.SSO_VERIFY_EXTERNAL_CREDS);
});

test('an individual application made host-initiated validates passwords too; validatePassword="no" turns it off', async () => {
  const hostGroupOff = `<application name="HostGroupNoCheck">
    <description>d</description><contact>c</contact>
    <windowsAccount>CORP\\svc-host</windowsAccount><appAdminAccount>CORP\\admins</appAdminAccount>
    <field ordinal="0" label="User ID" masked="no" /><field ordinal="1" label="Password" masked="yes" />
    <flags validatePassword="no" enableApp="yes" />
  </application>`;
  const file = xmlFile(
    t.dir.path,
    'host.xml',
    appXml([
      { name: 'BothWays', flags: 'hostInitiatedSSO="yes"' },
      { name: 'HostOnlyNoCheck', flags: 'hostInitiatedSSO="yes" windowsInitiatedSSO="no" validatePassword="no"' },
      { name: 'WindowsOnly' },
    ]).replace('</SSO>', `${hostGroupOff}\n</SSO>`),
  );
  await createApplicationsFromFile(t.sys.ctx, file);
  expect(await validates('BothWays')).toBe(true);
  expect(await validates('HostOnlyNoCheck')).toBe(false);
  expect(await validates('HostGroupNoCheck')).toBe(false);
  // Windows-initiated only: password validation does not apply, and stays off
  expect(await validates('WindowsOnly')).toBe(false);
});
