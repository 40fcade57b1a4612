import { Command, Option } from 'commander';
import type { ApiKeyRole } from '../../core/model.js';
import { systemClock } from '../../ports/clock.js';
import { ApiKeyService } from '../../services/api-keys.js';
import { ensureDefaultProject } from '../../services/projects.js';
import { withStore } from './with-store.js';

export function keysCommand(): Command {
  const keys = new Command('keys').description('manage API keys');
  keys
    .command('create')
    .description('create an API key and print it (shown once)')
    .option('--name <name>', 'a name to recognise the key by', 'cli')
    .addOption(new Option('--role <role>', 'what the key may do').choices(['admin', 'member']).default('member'))
    .option('--project <id>', 'project id (default: the default project)')
    .action(async (opts: { name: string; role: ApiKeyRole; project?: string }) => {
      const secret = await withStore(async (store) => {
        const project = opts.project
          ? await store.projects.get(opts.project)
          : await ensureDefaultProject(store, systemClock);
        if (!project) throw new Error(`no project with id ${opts.project}`);
        return (await new ApiKeyService(store, systemClock).issue(project.id, opts.name, opts.role)).secret;
      });
      process.stdout.write(secret + '\n');
    });
  return keys;
}
