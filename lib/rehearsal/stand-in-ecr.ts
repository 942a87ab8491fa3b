import { createHash } from 'node:crypto';
import type { ResolveImageDigest } from '../../lambdas/prepare-run/prepare.js';
import { parseImageReference } from '../contract/image.js';
import { imageId } from '../host/docker.js';
import type { Exec } from '../host/exec.js';

/**
 * The stand-in ECR of the process runtime, which runs this checkout's stage code whatever the
 * image: every tag of the stack's repository exists and names the digest `sha256:<SHA-256 of
 * repository:tag>` (stable, so a rehearsal's record can be compared).
 */
export const nameHashDigests: ResolveImageDigest = async (repositoryName, imageTag) =>
  `sha256:${createHash('sha256').update(`${repositoryName}:${imageTag}`).digest('hex')}`;

/** The stand-in ECR of the Docker runtime, and how a reference it pinned is run. */
export interface DockerEngineEcr {
  /** For PrepareRun: the digest of `<repository>:<tag>`. */
  readonly resolveImageDigest: ResolveImageDigest;
  /** What `docker run` runs for a job definition revision's image. */
  localImage(image: string): string;
}

/**
 * The stand-in ECR of the Docker runtime: the local Docker engine. A tag of the stack's
 * repository exists when the engine has an image named `<repositoryUri>:<tag>` (`docker tag`
 * puts it there), and its digest is that image's id; otherwise it is undefined, so PrepareRun
 * fails as on AWS (`Image tag … not found … push it first`). A reference it pinned
 * (`<repository>@sha256:<id>`) runs as the local image of that id; any other reference, a digest
 * the user wrote included (a registry's manifest digest, not an image id), runs as written.
 */
export function dockerEngineEcr(exec: Exec, repositoryUri: string): DockerEngineEcr {
  const pinned = new Set<string>();
  return {
    resolveImageDigest: async (_repositoryName, imageTag) => {
      const id = await imageId(exec, `${repositoryUri}:${imageTag}`);
      if (id !== undefined) pinned.add(id);
      return id;
    },
    localImage: (image) => {
      const digest = parseImageReference(image).digest;
      return digest !== undefined && pinned.has(digest) ? digest : image;
    },
  };
}
