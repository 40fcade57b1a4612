import type { Project } from '../core/model.js';
import { newId } from '../lib/ids.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';

export async function ensureDefaultProject(store: Pick<Store, 'projects'>, clock: Clock): Promise<Project> {
  const existing = await store.projects.getDefault();
  if (existing) return existing;
  try {
    return await store.projects.create({ id: newId(), name: 'Default', isDefault: true, createdAt: clock.now() });
  } catch (err) {
    // Another node created it first.
    const raced = await store.projects.getDefault();
    if (raced) return raced;
    throw err;
  }
}

export async function createProject(store: Pick<Store, 'projects'>, clock: Clock, name: string): Promise<Project> {
  return store.projects.create({ id: newId(), name, isDefault: false, createdAt: clock.now() });
}
