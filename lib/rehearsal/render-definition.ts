import { ValidationError } from '../errors.js';
import { IntrinsicResolver, type Placeholders, type Template } from './intrinsics.js';

/** A CloudFormation template, as synthesized. */
export type CfnTemplate = Template;

/** Where placeholder ARNs live (see {@link renderStateMachineDefinition} for the defaults). */
export interface RenderOptions extends Partial<Placeholders> {
  /** Other templates of the app, to resolve `Fn::ImportValue` (cross-stack references) through their exports. */
  readonly templates?: readonly CfnTemplate[];
}

/** A state machine definition with every intrinsic replaced. */
export interface RenderedDefinition {
  /** The Amazon States Language definition object. */
  readonly definition: Record<string, unknown>;
  /** Placeholder ARN of every resource the definition references, by logical id (or export name). */
  readonly resourceArns: Record<string, string>;
}

/** The placeholders of a rendered definition unless given: a documentation account, buckets named by logical id. */
const RENDER_PLACEHOLDERS: Placeholders = {
  region: 'us-east-1',
  accountId: '123456789012',
  bucketName: (logicalId) => logicalId.toLowerCase(),
};

/**
 * Takes a synthesized template holding one Step Functions state machine and
 * returns its ASL definition with its intrinsics resolved by
 * {@link IntrinsicResolver} to deterministic placeholder ARNs (region
 * `us-east-1`, account `123456789012` unless given).
 */
export function renderStateMachineDefinition(
  template: CfnTemplate,
  options: RenderOptions = {},
): RenderedDefinition {
  const machines = Object.entries(template.Resources ?? {}).filter(
    ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (machines.length !== 1)
    throw new ValidationError(
      `Expected one AWS::StepFunctions::StateMachine in the template, found ${machines.length}`,
    );
  const [, machine] = machines[0] as [string, { Properties?: Record<string, unknown> }];
  const resolver = new IntrinsicResolver(options.templates ?? [], {
    region: options.region ?? RENDER_PLACEHOLDERS.region,
    accountId: options.accountId ?? RENDER_PLACEHOLDERS.accountId,
    bucketName: options.bucketName ?? RENDER_PLACEHOLDERS.bucketName,
  });
  const text = resolver.resolveString(machine.Properties?.DefinitionString, template);
  return {
    definition: JSON.parse(text) as Record<string, unknown>,
    resourceArns: { ...resolver.references },
  };
}
