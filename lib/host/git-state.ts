import type { Exec } from './exec.js';

/** The commit a folder's git checkout is at, and whether the folder has uncommitted changes. */
export interface GitState {
  readonly commit: string;
  readonly dirty: boolean;
}

/**
 * The git state of `dir` (an experiment folder): HEAD's commit, and dirty when
 * anything under `dir` differs from it (changed, staged or untracked files).
 * Undefined when `dir` is not in a git checkout, the checkout has no commit
 * yet, or git is not installed.
 */
export async function gitState(exec: Exec, dir: string): Promise<GitState | undefined> {
  const head = await exec('git', ['-C', dir, 'rev-parse', '--verify', 'HEAD']);
  if (head.exitCode !== 0) return undefined;
  const status = await exec('git', ['-C', dir, 'status', '--porcelain', '--', '.']);
  if (status.exitCode !== 0) return undefined;
  return { commit: head.stdout.trim(), dirty: status.stdout.trim() !== '' };
}
