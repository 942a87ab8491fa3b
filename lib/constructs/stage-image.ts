import { DockerImageAsset, Platform } from 'aws-cdk-lib/aws-ecr-assets';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config/schema.js';

/** The image's Dockerfile (target `cloud`), relative to the project root. */
export const DOCKERFILE = 'docker/Dockerfile';

/**
 * The stages' image from the deployment config: a tag of the stack's repository, a given URI, or
 * `docker/Dockerfile` target `cloud` built by `cdk deploy` for the deployment's CPU architecture
 * (linux/amd64 unless `compute.cpuArchitecture` is `arm64`), whatever machine deploys.
 */
export function stageImage(
  scope: Construct,
  config: DeploymentConfig,
  repository: ecr.IRepository,
  projectRoot: string,
): ecs.ContainerImage {
  if (config.image.source === 'uri') return ecs.ContainerImage.fromRegistry(config.image.uri ?? '');
  if (config.image.source === 'repository')
    return ecs.ContainerImage.fromEcrRepository(repository, config.image.tag);
  // .dockerignore keeps only what the bundle needs; the Dockerfile itself must stay in the staged context.
  const asset = new DockerImageAsset(scope, 'ImageAsset', {
    directory: projectRoot,
    file: DOCKERFILE,
    target: 'cloud',
    exclude: [`!${DOCKERFILE}`],
    platform:
      config.compute.cpuArchitecture === 'arm64' ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64,
  });
  return ecs.ContainerImage.fromDockerImageAsset(asset);
}
