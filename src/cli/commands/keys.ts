import { Command, Option } from 'commander';
import { API_KEY_ROLES, type ApiKey, type ApiKeyRole } from '../../core/model.js';
import { systemClock } from '../../ports/clock.js';
import type { Store } from '../../ports/store.js';
import { ApiKeyService } from '../../services/api-keys.js';
import { ensureDefaultProject } from '../../services/projects.js';
import { printTable } from './table.js';
import { withStore } from './with-store.js';

export function keysCommand(): Command {
  const keys = new Command('keys').description('manage API keys');
  keys
    .command('create')
    .description('create an API key and print it (shown once)')
    .option('--name <name>', 'a name to recognise the key by', 'cli')
    .addOption(new Option('--role <role>', 'admin: everything; member: read only; sending: only send email').choices([...API_KEY_ROLES]).default('member'))
    .option('--project <id>', 'project id (default: the default project)')
    .option('--expires <time>', 'when the key stops working (ISO 8601, e.g. 2027-06-30T00:00:00Z)')
    .option('--domain <id>', 'with --role sending: the sending domain the key may send from')
    .action(async (opts: { name: string; role: ApiKeyRole; project?: string; expires?: string; domain?: string }) => {
      const expiresAt = opts.expires === undefined ? null : parseTime('--expires', opts.expires);
      const secret = await withStore(async (store) => {
        const project = await projectFor(store, opts.project);
        return (await new ApiKeyService(store, systemClock).issue(project.id, opts.name, opts.role, { expiresAt, domainId: opts.domain ?? null })).secret;
      });
      process.stdout.write(secret + '\n');
    });
  keys
    .command('list')
    .description("list a project's API keys (never the secrets)")
    .option('--project <id>', 'project id (default: the default project)')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { project?: string; json?: boolean }) => {
      const list = await withStore(async (store) => new ApiKeyService(store, systemClock).list((await projectFor(store, opts.project)).id));
      if (opts.json) {
        process.stdout.write(JSON.stringify(list.map(keyJson), null, 2) + '\n');
        return;
      }
      printTable(
        ['ID', 'NAME', 'ROLE', 'PREFIX', 'CREATED', 'LAST USED', 'EXPIRES'],
        list.map((k) => [k.id, k.name, k.role + (k.domainId ? ` (domain ${k.domainId})` : ''), `${k.prefix}…`, time(k.createdAt), time(k.lastUsedAt), time(k.expiresAt)]),
      );
    });
  keys
    .command('revoke')
    .description('revoke an API key: it is refused from the next request on')
    .argument('<id>', 'the key id (from keys list)')
    .action(async (id: string) => {
      const revoked = await withStore(async (store) => {
        const service = new ApiKeyService(store, systemClock);
        for (const project of await store.projects.list()) {
          if ((await store.apiKeys.get(project.id, id)) !== undefined) return service.revoke(project.id, id);
        }
        throw new Error(`no API key with id ${id}`);
      });
      process.stdout.write(`revoked ${revoked.id} (${revoked.name}, ${revoked.prefix}…)\n`);
    });
  return keys;
}

async function projectFor(store: Store, id: string | undefined) {
  const project = id ? await store.projects.get(id) : await ensureDefaultProject(store, systemClock);
  if (!project) throw new Error(`no project with id ${id}`);
  return project;
}

function parseTime(flag: string, value: string): number {
  const at = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(at)) throw new Error(`${flag} must be an ISO 8601 time, e.g. 2027-06-30T00:00:00Z (got "${value}")`);
  return at;
}

function time(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString();
}

function keyJson(k: ApiKey) {
  return {
    id: k.id,
    project_id: k.projectId,
    name: k.name,
    role: k.role,
    prefix: k.prefix,
    domain_id: k.domainId,
    created_at: new Date(k.createdAt).toISOString(),
    last_used_at: k.lastUsedAt === null ? null : new Date(k.lastUsedAt).toISOString(),
    expires_at: k.expiresAt === null ? null : new Date(k.expiresAt).toISOString(),
  };
}
