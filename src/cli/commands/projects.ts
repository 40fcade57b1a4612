import { Command } from 'commander';
import { systemClock } from '../../ports/clock.js';
import { createProject } from '../../services/projects.js';
import { printTable } from './table.js';
import { withStore } from './with-store.js';

export function projectsCommand(): Command {
  const projects = new Command('projects').description('manage projects (tenants)');
  projects
    .command('create')
    .description("create a project and print its id")
    .argument('<name>', 'project name')
    .action(async (name: string) => {
      if (!name.trim()) throw new Error('project name must not be empty');
      const project = await withStore((store) => createProject(store, systemClock, name.trim()));
      process.stdout.write(project.id + '\n');
    });
  projects
    .command('list')
    .description('list every project')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { json?: boolean }) => {
      const list = await withStore((store) => store.projects.list());
      if (opts.json) {
        const json = list.map((p) => ({ id: p.id, name: p.name, default: p.isDefault, created_at: new Date(p.createdAt).toISOString() }));
        process.stdout.write(JSON.stringify(json, null, 2) + '\n');
        return;
      }
      printTable(
        ['ID', 'NAME', 'DEFAULT', 'CREATED'],
        list.map((p) => [p.id, p.name, p.isDefault ? 'yes' : '', new Date(p.createdAt).toISOString()]),
      );
    });
  return projects;
}
