import { ValidationError } from '../errors.js';

/** A CloudFormation template, as far as the rehearsal reads it. */
export interface Template {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, { readonly Value: unknown; readonly Export?: { readonly Name?: unknown } }>;
}

/** The rehearsal's stand-in account and region. */
export const REHEARSAL_REGION = 'us-east-1';
/** The rehearsal's stand-in account and region. */
export const REHEARSAL_ACCOUNT = '000000000000';

const PSEUDO: Record<string, string> = {
  'AWS::Region': REHEARSAL_REGION,
  'AWS::AccountId': REHEARSAL_ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'rehearsal',
  'AWS::NoValue': '',
};

const arn = (service: string, resource: string): string => `arn:aws:${service}:${REHEARSAL_REGION}:${REHEARSAL_ACCOUNT}:${resource}`;

/** A valid S3 bucket name for a bucket resource (lowercase, 3..63 characters). */
export function rehearsalBucketName(logicalId: string): string {
  return `rehearsal-${logicalId.toLowerCase().replace(/[^a-z0-9]/g, '')}`.slice(0, 63);
}

/** What `Ref` gives for a resource: names and ARNs in the stand-in account. */
function refOf(logicalId: string, type: string): string {
  if (type === 'AWS::S3::Bucket') return rehearsalBucketName(logicalId);
  if (type === 'AWS::Batch::JobDefinition') return arn('batch', `job-definition/${logicalId}:1`);
  if (type === 'AWS::Batch::JobQueue') return arn('batch', `job-queue/${logicalId}`);
  if (type === 'AWS::SNS::Topic') return arn('sns', logicalId);
  return logicalId;
}

function getAtt(logicalId: string, type: string, attribute: string): string {
  if (attribute === 'Arn' && type === 'AWS::Lambda::Function') return arn('lambda', `function:${logicalId}`);
  if (attribute === 'Arn' && type === 'AWS::S3::Bucket') return `arn:aws:s3:::${rehearsalBucketName(logicalId)}`;
  const ref = refOf(logicalId, type);
  if (attribute.endsWith('Arn') && ref.startsWith('arn:')) return ref;
  if (attribute === 'Arn' || attribute.endsWith('Arn')) return arn(type.split('::')[1]?.toLowerCase() ?? 'unknown', logicalId);
  return `${logicalId}.${attribute}`;
}

/**
 * Resolves CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Sub,
 * Fn::Select, Fn::Split, Fn::ImportValue across the app's stacks, pseudo
 * parameters) to plain values in a stand-in account, so the synthesized
 * template can run locally.
 */
export class IntrinsicResolver {
  private readonly exports = new Map<string, { value: unknown; template: Template }>();

  constructor(templates: readonly Template[]) {
    for (const template of templates) {
      for (const output of Object.values(template.Outputs ?? {})) {
        const name = output.Export?.Name;
        if (typeof name === 'string') this.exports.set(name, { value: output.Value, template });
      }
    }
  }

  /** Resolves every intrinsic in `value`, in the context of `template`. */
  resolve(value: unknown, template: Template): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, template));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    const [first] = entries;
    if (entries.length === 1 && first !== undefined && (first[0] === 'Ref' || first[0].startsWith('Fn::')))
      return this.intrinsic(first[0], first[1], template);
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v, template)]));
  }

  /** Resolves to a string (throws when the value is not one). */
  resolveString(value: unknown, template: Template): string {
    const resolved = this.resolve(value, template);
    if (typeof resolved !== 'string') throw new ValidationError(`Expected a string in the template, got ${JSON.stringify(resolved)}`);
    return resolved;
  }

  private typeOf(logicalId: string, template: Template): string {
    const resource = template.Resources?.[logicalId];
    if (resource === undefined) throw new ValidationError(`The template refers to ${logicalId}, which it does not define`);
    return resource.Type;
  }

  private intrinsic(name: string, arg: unknown, template: Template): unknown {
    const str = (v: unknown): string => this.resolveString(v, template);
    switch (name) {
      case 'Ref': {
        const id = String(arg);
        return PSEUDO[id] ?? refOf(id, this.typeOf(id, template));
      }
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
        return getAtt(id ?? '', this.typeOf(id ?? '', template), attribute ?? '');
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        return (this.resolve(parts, template) as unknown[]).map(String).join(sep);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        return (this.resolve(list, template) as unknown[])[Number(this.resolve(index, template))];
      }
      case 'Fn::Split': {
        const [sep, text] = arg as [string, unknown];
        return str(text).split(sep);
      }
      case 'Fn::ImportValue': {
        const exported = this.exports.get(str(arg));
        if (exported === undefined) throw new ValidationError(`No stack of the app exports ${str(arg)}`);
        return this.resolve(exported.value, exported.template);
      }
      case 'Fn::Sub':
        return this.sub(arg, template);
      default:
        throw new ValidationError(`The rehearsal cannot resolve ${name} in the template`);
    }
  }

  private sub(arg: unknown, template: Template): string {
    const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
    return text.replace(/\$\{([^}!]+)\}/g, (_, ref: string) => {
      if (vars[ref] !== undefined) return this.resolveString(vars[ref], template);
      const [id, attribute] = ref.split('.');
      return attribute === undefined
        ? this.resolveString({ Ref: id }, template)
        : this.resolveString({ 'Fn::GetAtt': [id, attribute] }, template);
    });
  }
}
