import { ValidationError } from '../errors.js';

/** A CloudFormation template, as synthesized. */
export interface CfnTemplate {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, { readonly Value: unknown; readonly Export?: { readonly Name?: unknown } }>;
}

/** Where placeholder ARNs live. */
export interface RenderOptions {
  readonly region?: string;
  readonly accountId?: string;
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

interface Context {
  readonly template: CfnTemplate;
  readonly region: string;
  readonly accountId: string;
  readonly templates: readonly CfnTemplate[];
  readonly arns: Record<string, string>;
}

/** The placeholder ARN (or name) of a resource of the template, by its type. */
function placeholder(ctx: Context, logicalId: string, attribute?: string): string {
  const type = ctx.template.Resources?.[logicalId]?.Type;
  const at = `${ctx.region}:${ctx.accountId}`;
  const byType: Record<string, string> = {
    'AWS::Lambda::Function': `arn:aws:lambda:${at}:function:${logicalId}`,
    'AWS::Batch::JobQueue': `arn:aws:batch:${at}:job-queue/${logicalId}`,
    'AWS::Batch::JobDefinition': `arn:aws:batch:${at}:job-definition/${logicalId}:1`,
    'AWS::S3::Bucket': attribute === 'Arn' ? `arn:aws:s3:::${logicalId.toLowerCase()}` : logicalId.toLowerCase(),
    'AWS::StepFunctions::StateMachine': `arn:aws:states:${at}:stateMachine:${logicalId}`,
  };
  if (type === undefined) throw new ValidationError(`Template has no resource ${logicalId} (referenced by the state machine definition)`);
  const arn = byType[type] ?? `arn:aws:cloudformation:${at}:resource/${logicalId}`;
  ctx.arns[logicalId] = arn;
  return arn;
}

const PSEUDO: Record<string, (ctx: Context) => string> = {
  'AWS::Region': (ctx) => ctx.region,
  'AWS::AccountId': (ctx) => ctx.accountId,
  'AWS::Partition': () => 'aws',
  'AWS::URLSuffix': () => 'amazonaws.com',
};

function importValue(ctx: Context, name: string): string {
  for (const template of ctx.templates) {
    const output = Object.values(template.Outputs ?? {}).find((o) => o.Export?.Name === name);
    if (output !== undefined) {
      const value = resolve({ ...ctx, template }, output.Value);
      ctx.arns[name] = value;
      return value;
    }
  }
  throw new ValidationError(`Cannot resolve Fn::ImportValue "${name}": pass the exporting stack's template in options.templates`);
}

/** Resolves the intrinsics CDK uses in a definition string to a plain string. */
function resolve(ctx: Context, value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if ('Ref' in node) {
    const ref = String(node.Ref);
    return PSEUDO[ref]?.(ctx) ?? placeholder(ctx, ref);
  }
  if ('Fn::GetAtt' in node) {
    const [logicalId, attribute] = node['Fn::GetAtt'] as [string, string];
    return placeholder(ctx, logicalId, attribute);
  }
  if ('Fn::Join' in node) {
    const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolve(ctx, part)).join(delimiter);
  }
  if ('Fn::ImportValue' in node) return importValue(ctx, resolve(ctx, node['Fn::ImportValue']));
  throw new ValidationError(`Unsupported intrinsic in the state machine definition: ${JSON.stringify(value).slice(0, 200)}`);
}

/**
 * Takes a synthesized template holding one Step Functions state machine and
 * returns its ASL definition with `Ref`, `Fn::GetAtt`, `Fn::Join` and
 * `Fn::ImportValue` replaced by deterministic placeholder ARNs (region
 * `us-east-1`, account `123456789012` unless given).
 */
export function renderStateMachineDefinition(template: CfnTemplate, options: RenderOptions = {}): RenderedDefinition {
  const machines = Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1)
    throw new ValidationError(`Expected one AWS::StepFunctions::StateMachine in the template, found ${machines.length}`);
  const [, machine] = machines[0] as [string, { Properties?: Record<string, unknown> }];
  const ctx: Context = {
    template,
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
    templates: options.templates ?? [],
    arns: {},
  };
  const text = resolve(ctx, machine.Properties?.DefinitionString);
  return { definition: JSON.parse(text) as Record<string, unknown>, resourceArns: ctx.arns };
}
