import { Command } from 'commander';
import { systemClock } from '../../ports/clock.js';
import { createProject } from '../../services/projects.js';
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
  return projects;
}
