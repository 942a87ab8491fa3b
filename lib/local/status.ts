import type { StatusReport } from '../backend/types.js';
import type { Storage } from '../storage/index.js';
import { listLocalExperiments } from './browse.js';
import { detectCompose } from './compose.js';
import { stageCodeHash } from '../host/bundle.js';
import { imageLabel, probeEngine } from '../host/docker.js';
import type { Exec } from '../host/exec.js';
import { CODE_LABEL, IMAGES } from '../host/images.js';
import type { LocalPaths } from '../host/paths.js';

async function imageState(exec: Exec, image: string, codeHash: string): Promise<string> {
  const result = await exec('docker', ['image', 'inspect', '--format', '{{.Size}}', image]);
  if (result.exitCode !== 0) return 'missing (epycloud build local)';
  const label = await imageLabel(exec, image, CODE_LABEL);
  const code =
    label === undefined || label === 'unknown'
      ? 'stage code unlabelled'
      : label === codeHash
        ? 'stage code current'
        : 'STALE stage code (epycloud build local)';
  return `present (${(Number(result.stdout.trim()) / 1e6).toFixed(0)} MB), ${code}`;
}

/** What local mode has to work with: engine, Compose, images, folders, and counts of experiments and runs. */
export async function localStatus(
  paths: LocalPaths,
  storage: Storage,
  exec: Exec,
): Promise<StatusReport> {
  const engine = await probeEngine(exec);
  const compose = await detectCompose(exec).then(
    (c) => `${[c.file, ...c.prefix].join(' ')} ${c.version} (${c.flavor})`,
    () => 'not found',
  );
  const codeHash = engine.ok ? await stageCodeHash(paths.projectRoot) : '';
  const images = engine.ok
    ? await Promise.all(
        Object.values(IMAGES).map(async (image) => ({
          label: `image ${image}`,
          value: await imageState(exec, image, codeHash),
        })),
      )
    : [];
  const experiments = await listLocalExperiments(paths, storage);
  const runs = experiments.flatMap((e) => e.runs.map((r) => `${e.expId} ${r.runId} (${r.state})`));
  return {
    backend: 'local',
    ok: true,
    facts: [
      {
        label: 'docker engine',
        value: engine.ok
          ? `running (${engine.version})`
          : `not answering: ${engine.reason} (bash scripts/docker-engine.sh start, or --runtime process)`,
      },
      { label: 'compose', value: compose },
      ...images,
      { label: 'experiments dir', value: paths.experimentsDir },
      { label: 'bucket dir', value: paths.bucketDir },
      { label: 'experiments', value: String(experiments.filter((e) => e.hasConfig).length) },
      { label: 'runs', value: String(runs.length) },
    ],
  };
}
