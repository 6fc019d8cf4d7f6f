/**
 * `ssokit db|app|mapping|credentials|config-store|audit …`: the ssomanage and ssoclient
 * work in the modern syntax. Declarations only; implementations load when they run.
 */

import { collect, type Declare } from './declare.js';

const db = () => import('./commands/db.js');
const system = () => import('./commands/system.js');
const app = () => import('./commands/app.js');
const mapping = () => import('./commands/mapping.js');
const credentials = () => import('./commands/credentials.js');
const configStore = () => import('./commands/config-store.js');

const declareDb: Declare = (program, runner) => {
  const cmd = program
    .command('db')
    .description('the credential store and its global info (ssomanage -displaydb, -updatedb)');
  cmd
    .command('where')
    .description('show which store this node uses (ssoconfig -showdb)')
    .action(runner.action(async () => (await system()).dbWhereCommand));
  cmd
    .command('show')
    .description('show the global info (ssomanage -displaydb)')
    .action(runner.action(async () => (await db()).dbShowCommand));
  cmd
    .command('update')
    .description('update the global info from a GlobalInfo XML file (ssomanage -updatedb)')
    .argument('<file>', 'the XML file')
    .option('--dry-run', 'show what would change, change nothing')
    .action(runner.action(async () => (await db()).dbUpdateCommand));
  cmd
    .command('enable-sso')
    .description('enable SSO (ssomanage -enablesso)')
    .action(runner.action(async () => (await db()).ssoEnableCommand));
  cmd
    .command('disable-sso')
    .description('disable SSO (ssomanage -disablesso)')
    .action(runner.action(async () => (await db()).ssoDisableCommand));
  cmd
    .command('tickets')
    .description('whether tickets are allowed and validated (ssomanage -tickets)')
    .argument('<allowed>', 'yes, no, on or off')
    .argument('<validate>', 'yes, no, on or off')
    .action(runner.action(async () => (await db()).ticketsCommand));
};

const declareApp: Declare = (program, runner) => {
  const cmd = program.command('app').description('affiliate applications (ssomanage -createapps, -listapps, …)');
  cmd
    .command('create')
    .description('create applications from an XML file (ssomanage -createapps)')
    .argument('<file>', 'AffiliateApplication XML')
    .option('--dry-run', 'check the file and show what would be created')
    .action(runner.action(async () => (await app()).appCreateCommand));
  cmd
    .command('update')
    .description('update applications from an XML file (ssomanage -updateapps)')
    .argument('<file>', 'AffiliateApplication XML')
    .option('--dry-run', 'check the file and show what would change')
    .action(runner.action(async () => (await app()).appUpdateCommand));
  cmd
    .command('list')
    .description('list applications (ssomanage -listapps)')
    .option('--all', 'include config store applications')
    .action(runner.action(async () => (await app()).appListCommand));
  cmd
    .command('show')
    .description('show an application (ssomanage -displayapp)')
    .argument('<name>')
    .action(runner.action(async () => (await app()).appShowCommand));
  cmd
    .command('delete')
    .description('delete an application with its mappings and credentials (ssomanage -deleteapp)')
    .argument('<name>')
    .action(runner.action(async () => (await app()).appDeleteCommand));
  cmd
    .command('enable')
    .description('enable an application (ssomanage -enableapp)')
    .argument('<name>')
    .action(runner.action(async () => (await app()).appEnableCommand));
  cmd
    .command('disable')
    .description('disable an application (ssomanage -disableapp)')
    .argument('<name>')
    .action(runner.action(async () => (await app()).appDisableCommand));
  cmd
    .command('purge-cache')
    .description("purge an application's credential cache (ssomanage -purgecache)")
    .argument('<name>')
    .action(runner.action(async () => (await app()).appPurgeCacheCommand));
};

const declareMapping: Declare = (program, runner) => {
  const cmd = program.command('mapping').description('user mappings (ssomanage -createmappings, -listmappings, …)');
  cmd
    .command('create')
    .description('create mappings from an XML file, disabled (ssomanage -createmappings)')
    .argument('<file>', 'UserMapping XML')
    .action(runner.action(async () => (await mapping()).mappingCreateCommand));
  cmd
    .command('delete-file')
    .description('delete the mappings an XML file lists (ssomanage -deletemappings)')
    .argument('<file>', 'UserMapping XML')
    .action(runner.action(async () => (await mapping()).mappingDeleteFileCommand));
  cmd
    .command('delete')
    .description('delete one disabled mapping (ssomanage -deletemapping)')
    .argument('<user>', 'domain\\user (the external account for host group applications)')
    .argument('<app>')
    .action(runner.action(async () => (await mapping()).mappingDeleteCommand));
  cmd
    .command('enable')
    .description('enable a mapping (ssomanage -enablemapping)')
    .argument('<user>', 'domain\\user (the external account for host group applications)')
    .argument('<app>')
    .action(runner.action(async () => (await mapping()).mappingEnableCommand));
  cmd
    .command('disable')
    .description('disable a mapping (ssomanage -disablemapping)')
    .argument('<user>', 'domain\\user (the external account for host group applications)')
    .argument('<app>')
    .action(runner.action(async () => (await mapping()).mappingDisableCommand));
  cmd
    .command('list')
    .description("list a user's or an application's mappings (ssomanage -listmappings)")
    .option('--user <user>', 'domain\\user')
    .option('--app <app>', 'application')
    .action(runner.action(async () => (await mapping()).mappingListCommand));
};

const declareCredentials: Declare = (program, runner) => {
  const cmd = program.command('credentials').description('credentials of user mappings');
  cmd
    .command('set')
    .description("set a user's credentials; creates and enables the mapping (ssomanage -setcredentials)")
    .argument('<user>', 'domain\\user (the external account for host group applications)')
    .argument('<app>')
    .option('--external-user <id>', 'external user id, when the mapping does not exist yet')
    .option('--field <label=value>', 'a value for a field that is not masked (repeatable)', collect)
    .option('--fields-file <file>', 'JSON object of field label to value ("-" for stdin; else SSOKIT_FIELDS_FILE)')
    .action(runner.action(async () => (await credentials()).credentialsSetCommand));
  cmd
    .command('get')
    .description("look up a user's credentials (GetCredentials), audited")
    .argument('<user>', 'domain\\user')
    .argument('<app>')
    .option('--reveal', 'show masked values too')
    .action(runner.action(async () => (await credentials()).credentialsGetCommand));
  cmd
    .command('import')
    .description('import credentials from JSON Lines, all or nothing')
    .argument('<file>', '{"user":…,"app":…,"externalUser":…,"fields":{…}} per line')
    .action(runner.action(async () => (await credentials()).credentialsImportCommand));
};

const declareConfigStore: Declare = (program, runner) => {
  const cmd = program.command('config-store').description("config store applications' encrypted property bags");
  cmd
    .command('set')
    .description('set properties (identifier defaults to ConfigProperties)')
    .argument('<app>')
    .argument('[identifier]')
    .option('--property <name=value>', 'a property that is not masked (repeatable)', collect)
    .option('--file <file>', 'properties from a settings XML file or a JSON object')
    .option('--replace', 'replace the whole bag instead of updating it')
    .action(runner.action(async () => (await configStore()).configSetCommand));
  cmd
    .command('get')
    .description('show properties (masked ones only with --runtime)')
    .argument('<app>')
    .argument('[identifier]')
    .option('--runtime', 'include masked properties')
    .action(runner.action(async () => (await configStore()).configGetCommand));
  cmd
    .command('delete')
    .description('delete a bag')
    .argument('<app>')
    .argument('[identifier]')
    .action(runner.action(async () => (await configStore()).configDeleteCommand));
  cmd
    .command('list')
    .description("list an application's bags")
    .argument('<app>')
    .action(runner.action(async () => (await configStore()).configListCommand));
  cmd
    .command('import')
    .description('import a BizTalk Deployment Framework settings file or JSON')
    .argument('<app>')
    .argument('<file>')
    .option('--identifier <id>', 'the bag (default ConfigProperties)')
    .option('--replace', 'replace the whole bag')
    .action(runner.action(async () => (await configStore()).configImportCommand));
  cmd
    .command('export')
    .description('export a bag as a settings file or JSON')
    .argument('<app>')
    .option('--identifier <id>', 'the bag (default ConfigProperties)')
    .option('--output <file>', 'write to FILE (mode 0600) instead of stdout')
    .option('--format <format>', 'xml or json (default: by the file name, else xml)')
    .option('--include-masked', 'include masked properties (only into a file)')
    .option('--force', 'replace an existing file')
    .action(runner.action(async () => (await configStore()).configExportCommand));
};

const declareAudit: Declare = (program, runner) => {
  program
    .command('audit')
    .description('the audit log')
    .command('list')
    .description('show the newest entries')
    .option('--kind <kind>', 'operations (default), deleted-apps, deleted-mappings or lookups')
    .option('--limit <n>', 'how many (default 100)')
    .action(runner.action(async () => (await import('./commands/audit.js')).auditListCommand));
};

export const MANAGE_COMMANDS: [string, Declare][] = [
  ['db', declareDb],
  ['app', declareApp],
  ['mapping', declareMapping],
  ['credentials', declareCredentials],
  ['config-store', declareConfigStore],
  ['audit', declareAudit],
];
