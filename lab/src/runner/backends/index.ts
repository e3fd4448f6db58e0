import type { BackendName, LabBackend } from './backend.js';
import { localBackend } from './local.js';

export type { BackendName, LabBackend, Launcher, SpawnOptions, ToolProcess } from './backend.js';
export { localBackend } from './local.js';
export { localLauncher } from './local-launcher.js';

const NAMES: readonly BackendName[] = ['local', 'containers'];

/** LAB_BACKEND's value, checked: unset means local. */
export function backendName(value: string | undefined): BackendName {
  if (value === undefined || value === '') return 'local';
  if ((NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`LAB_BACKEND must be one of ${NAMES.join(', ')}, got '${value}'`);
}

export async function createBackend(root: string, name: BackendName): Promise<LabBackend> {
  if (name === 'local') return localBackend();
  // Loaded only when asked for: the local backend must not need testcontainers' dependencies.
  const { containersBackend } = await import('./containers/backend.js');
  return containersBackend(root);
}
