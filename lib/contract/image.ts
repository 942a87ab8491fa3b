import { ValidationError } from '../errors.js';

const COMPONENT = '[a-z0-9]+(?:[._-]+[a-z0-9]+)*';
const REPOSITORY = `${COMPONENT}(?::\\d+)?(?:/${COMPONENT})*`;
const TAG = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';

/** A Docker tag: `latest`, `v1.2`, `2026-05-01`. */
export const IMAGE_TAG = new RegExp(`^${TAG}$`);

/** An image repository without tag or digest: `123456789012.dkr.ecr.us-east-1.amazonaws.com/models`, `public.ecr.aws/acme/epycloud`. */
export const IMAGE_REPOSITORY = new RegExp(`^${REPOSITORY}$`);

/** An image reference as Batch takes it: a repository, then an optional `:tag` and an optional `@sha256:` digest. */
export const IMAGE_REFERENCE = new RegExp(`^${REPOSITORY}(?::${TAG})?(?:@sha256:[0-9a-f]{64})?$`);

/** A digest as image references carry it: `sha256:<64 hex>`. */
export const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The parts of an image reference: its repository, and its tag and digest when it has them. */
export interface ImageReferenceParts {
  readonly repository: string;
  readonly tag: string | undefined;
  /** `sha256:<hex>` */
  readonly digest: string | undefined;
}

/** Splits an image reference (`repo`, `repo:tag`, `repo@sha256:...`, `repo:tag@sha256:...`). */
export function parseImageReference(image: string): ImageReferenceParts {
  const at = image.indexOf('@');
  const named = at === -1 ? image : image.slice(0, at);
  const digest = at === -1 ? undefined : image.slice(at + 1);
  const tagAt = named.indexOf(':', named.lastIndexOf('/') + 1);
  return tagAt === -1
    ? { repository: named, tag: undefined, digest }
    : { repository: named.slice(0, tagAt), tag: named.slice(tagAt + 1), digest };
}

/** The repository of an image reference: the reference without its tag and digest. */
function imageRepository(image: string): string {
  return parseImageReference(image).repository;
}

/**
 * Checks that a run's image comes from the stack's own repository or from one
 * the deployment config allows (`image.allowedRepositories`); returns the
 * image, or throws a ValidationError naming it, its repository and the fix.
 */
export function checkImageAllowed(
  image: string,
  repositoryUri: string,
  allowed: readonly string[],
): string {
  const repository = imageRepository(image);
  if (repository === repositoryUri || allowed.includes(repository)) return image;
  const others = allowed.length === 0 ? 'no other repository' : `also ${allowed.join(', ')}`;
  throw new ValidationError(
    `Execution input imageUri "${image}" is from repository "${repository}", which this deployment does not allow ` +
      `(its own repository ${repositoryUri}; ${others}). Push the image to ${repositoryUri} and pass imageTag ` +
      `(an experiment's own image: name it ${repositoryUri}:<tag> in its stages: config), ` +
      `or add "${repository}" to image.allowedRepositories in the deployment config (epycloud:environments) and redeploy`,
  );
}

/** Account, region and name of a private ECR repository URI; undefined for any other registry. */
export function parseEcrRepository(
  repository: string,
): { account: string; region: string; name: string } | undefined {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/.exec(
    repository,
  );
  if (match === null) return undefined;
  const [, account = '', region = '', name = ''] = match;
  return { account, region, name };
}

/**
 * The repository of an image PrepareRun cannot pin: a tag (no digest) outside
 * the stack's repository, whose tags alone it resolves; undefined when it can.
 */
export function unpinnableRepository(image: string, repositoryUri: string): string | undefined {
  const { repository, digest } = parseImageReference(image);
  return digest !== undefined || repository === repositoryUri ? undefined : repository;
}

/**
 * Refuses, before anything is uploaded, an experiment's own image that no cloud
 * run could use: a tag outside the stack's repository (PrepareRun resolves tags
 * of its own repository only; any other image is named by digest, and then the
 * deployment's `image.allowedRepositories` decides, in PrepareRun).
 */
export function checkOwnImageStartable(image: string, repositoryUri: string): void {
  const repository = unpinnableRepository(image, repositoryUri);
  if (repository === undefined) return;
  throw new ValidationError(
    `This experiment's own image ${image} (its stages: config) is a tag of ${repository}, which no cloud run can use: ` +
      `AWS runs tags of the deployment's repository only, other images by digest. Push it there and name it so, ` +
      `locally too (docker tag ${image} ${repositoryUri}:<tag>; docker push ${repositoryUri}:<tag>; ` +
      `stages.image: ${repositoryUri}:<tag>), or name it by digest (${repository}@sha256:<digest>) from a repository the deployment allows`,
  );
}
