import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV } from '../../../lib/contract/env.js';
import { STAGES } from '../../../lib/contract/layout.js';
import { COMPOSE_SETTINGS } from '../../../lib/local/launchers.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';

interface Service {
  image: string;
  network_mode: string;
  init: boolean;
  user: string;
  volumes: string[];
  environment: string[];
  command: string[];
  working_dir?: string;
  build: { target: string; network: string; dockerfile: string };
}

const compose = parse(await readFile(join(PROJECT_ROOT, 'docker', 'compose.yaml'), 'utf8'), {
  merge: true,
}) as {
  services: Record<string, Service>;
  networks?: unknown;
};

describe('docker/compose.yaml', () => {
  it('has one service per stage, each running its stage from the local target', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [...STAGES, ...STAGES.map((s) => `own-${s}`)].sort(),
    );
    for (const stage of STAGES) {
      const service = compose.services[stage]!;
      expect(service.command).toEqual(['node', 'dist/stage.mjs', stage]);
      expect(service.build).toMatchObject({
        target: 'local',
        network: 'host',
        dockerfile: 'docker/Dockerfile',
      });
    }
  });

  it("runs an experiment's own image without a build section, mounting only the run's folder of the bucket", () => {
    for (const stage of STAGES) {
      const own = compose.services[`own-${stage}`]!;
      expect(own.build).toBeUndefined();
      expect(own.command).toEqual([stage]);
      expect(own.volumes).toEqual([
        `\${${COMPOSE_SETTINGS.runDir}:-../local/bucket/none}:/local/bucket/\${${COMPOSE_SETTINGS.runPrefix}:-none}`,
      ]);
      const { build: _b, command: _c, volumes: _v, image: _i, ...rest } = own;
      const {
        build: _b2,
        command: _c2,
        volumes: _v2,
        image: _i2,
        ...builtIn
      } = compose.services[stage]!;
      expect(rest).toEqual(builtIn); // the same user, init, network and environment
    }
  });

  it('forwards every variable of the stage contract, and nothing unknown', () => {
    for (const stage of STAGES) {
      const names = compose.services[stage]!.environment.map((entry) => entry.split('=')[0]);
      expect(names.sort()).toEqual(Object.values(ENV).sort());
    }
  });

  it('sets the bucket to the container side of the ./local mount', () => {
    const service = compose.services.runner!;
    expect(service.environment).toContain('LOCAL_BUCKET_DIR=/local/bucket');
    expect(service.volumes).toEqual([`\${${COMPOSE_SETTINGS.localDir}:-../local}:/local`]);
  });

  it('runs an init as PID 1, so a stage can end itself when its stdin lifeline closes', () => {
    for (const stage of STAGES) expect(compose.services[stage]!.init).toBe(true);
  });

  it('gives containers no network and never defines one (no bridge networks)', () => {
    for (const stage of STAGES) expect(compose.services[stage]!.network_mode).toBe('none');
    expect(compose.networks).toBeUndefined();
  });

  it("keeps each image's own working directory (an experiment's image may not use /app)", () => {
    for (const stage of STAGES) expect(compose.services[stage]!.working_dir).toBeUndefined();
  });

  it("runs as the caller's user and the image the CLI names", () => {
    const service = compose.services.builder!;
    expect(service.user).toBe(
      `\${${COMPOSE_SETTINGS.uid}:-1000}:\${${COMPOSE_SETTINGS.gid}:-1000}`,
    );
    expect(service.image).toBe(`\${${COMPOSE_SETTINGS.image}:-epycloud:local}`);
  });
});
