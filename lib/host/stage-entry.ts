import { join } from 'node:path';

/** What a stage process runs: the bundle the images run (`dist/stage.mjs`), the TypeScript source through tsx, or a given bundle file. */
export type StageEntry = 'bundle' | 'source' | { readonly bundlePath: string };

/** The node arguments (before the stage name) of an entry. */
export function stageEntryArgs(projectRoot: string, entry: StageEntry): string[] {
  if (typeof entry === 'object') return [entry.bundlePath];
  if (entry === 'bundle') return [join(projectRoot, 'dist', 'stage.mjs')];
  return ['--import', import.meta.resolve('tsx'), join(projectRoot, 'pipeline-scripts', 'main.ts')];
}
