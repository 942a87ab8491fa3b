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

/**
 * The stand-in ECR of the Docker runtime: the local Docker engine. A tag of the stack's
 * repository exists when the engine has an image named `<repositoryUri>:<tag>` (`docker tag`
 * puts it there), and its digest is that image's id; otherwise it is undefined, so PrepareRun
 * fails as on AWS (`Image tag … not found … push it first`).
 */
export function dockerEngineDigests(exec: Exec, repositoryUri: string): ResolveImageDigest {
  return (_repositoryName, imageTag) => imageId(exec, `${repositoryUri}:${imageTag}`);
}

/**
 * What `docker run` runs for a job definition revision's image: a reference
 * pinned by digest (`<repository>@sha256:<id>`, as PrepareRun pins through
 * {@link dockerEngineDigests}) is the local image of that id, `sha256:<id>`;
 * any other reference is run as it is.
 */
export function localImage(image: string): string {
  return parseImageReference(image).digest ?? image;
}
