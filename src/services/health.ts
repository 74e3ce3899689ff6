import type { AppDeps } from '../deps';

/** True when the database answers within two seconds (for GET /healthz). */
export async function databaseReachable(deps: Pick<AppDeps, 'db'>): Promise<boolean> {
  try {
    await deps.db.raw('select 1').timeout(2000, { cancel: true });
    return true;
  } catch {
    return false;
  }
}
