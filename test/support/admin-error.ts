// Runs an admin action that must be refused and returns its AdminError (anything else fails the test).
import { AdminError } from '../../src/server/admin/admin-error';

export function adminError(action: () => unknown): AdminError {
  try {
    action();
  } catch (error) {
    if (error instanceof AdminError) return error;
    throw error;
  }
  throw new Error('no AdminError');
}
