import { describe, expect, it } from 'vitest';
import {
  buildExecutionInput,
  executionInputSchema,
  withStageImage,
} from '../../../lib/contract/execution.js';
import { ValidationError } from '../../../lib/errors.js';

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/epycloud:python-model';

describe('execution input: per-stage commands', () => {
  it('accepts commands for some or all stages with their image, and refuses an empty command, an unknown stage or no image', () => {
    expect(
      executionInputSchema.parse({
        expId: 'e',
        imageUri: IMAGE,
        commands: { runner: ['python3', 'run.py'] },
      }).commands,
    ).toEqual({ runner: ['python3', 'run.py'] });
    const noImage = executionInputSchema.safeParse({ expId: 'e', commands: { runner: ['r'] } });
    expect(noImage.error?.issues[0]).toMatchObject({ path: ['commands'] });
    for (const commands of [{ runner: [] }, { runner: [''] }, { simulate: ['x'] }]) {
      const parsed = executionInputSchema.safeParse({ expId: 'e', imageUri: IMAGE, commands });
      expect(parsed.success, JSON.stringify(commands)).toBe(false);
      expect(parsed.error?.issues[0]?.path[0]).toBe('commands');
    }
  });

  it('carries the request commands into the input, and leaves them out when absent', () => {
    const commands = { builder: ['b'], runner: ['r'], output: ['o'] };
    expect(buildExecutionInput({ expId: 'e', imageUri: IMAGE, commands }, 'r1')).toMatchObject({
      imageUri: IMAGE,
      commands,
    });
    expect(buildExecutionInput({ expId: 'e' }, 'r1')).not.toHaveProperty('commands');
  });
});

describe('withStageImage', () => {
  it("runs the experiment's image with every stage's command, the defaults filled in", () => {
    const request = withStageImage(
      { expId: 'e', maxParallelism: 3 },
      { image: IMAGE, commands: { runner: ['python3', '/app/stage.py', 'runner'] } },
    );
    expect(request).toEqual({
      expId: 'e',
      maxParallelism: 3,
      imageUri: IMAGE,
      commands: {
        builder: ['builder'],
        runner: ['python3', '/app/stage.py', 'runner'],
        output: ['output'],
      },
    });
  });

  it('leaves a request unchanged when the experiment names no image', () => {
    const request = { expId: 'e', imageTag: 'v7' };
    expect(withStageImage(request, undefined)).toBe(request);
  });

  it('refuses an image override as well, naming both', () => {
    for (const [asked, named] of [
      [{ imageTag: 'v7' }, '--image-tag v7'],
      [{ imageUri: `${IMAGE}-2` }, `image ${IMAGE}-2`],
    ] as const) {
      const error = (() => {
        try {
          return withStageImage({ expId: 'e', ...asked }, { image: IMAGE });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toContain(`its own stage image ${IMAGE}`);
      expect((error as Error).message).toContain(named);
    }
  });
});
