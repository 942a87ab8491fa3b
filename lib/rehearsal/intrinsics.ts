import { ValidationError } from '../errors.js';

/** A CloudFormation template, as far as the rehearsal reads it. */
export interface Template {
  readonly Resources?: Record<
    string,
    { readonly Type: string; readonly Properties?: Record<string, unknown> }
  >;
  readonly Outputs?: Record<
    string,
    { readonly Value: unknown; readonly Export?: { readonly Name?: unknown } }
  >;
}

/** The rehearsal's stand-in account and region. */
const REHEARSAL_REGION = 'us-east-1';
/** The rehearsal's stand-in account and region. */
export const REHEARSAL_ACCOUNT = '000000000000';

/** Where placeholder resources live and what buckets are called. */
export interface Placeholders {
  readonly region: string;
  readonly accountId: string;
  /** The name `Ref` gives an `AWS::S3::Bucket`, by logical id. */
  readonly bucketName: (logicalId: string) => string;
}

/** A valid S3 bucket name for a bucket resource (lowercase, 3..63 characters). */
export function rehearsalBucketName(logicalId: string): string {
  return `rehearsal-${logicalId.toLowerCase().replace(/[^a-z0-9]/g, '')}`.slice(0, 63);
}

/** The rehearsal's stand-in account: what the S3 server and the Batch stand-in expect. */
export const REHEARSAL_PLACEHOLDERS: Placeholders = {
  region: REHEARSAL_REGION,
  accountId: REHEARSAL_ACCOUNT,
  bucketName: rehearsalBucketName,
};

/**
 * Resolves CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Sub,
 * Fn::Select, Fn::Split, Fn::ImportValue across the app's stacks, pseudo
 * parameters) to plain values with placeholder names and ARNs (the
 * rehearsal's stand-in account unless given), so the synthesized template can
 * run locally or be rendered. It notes every resource and export it resolved
 * ({@link references}).
 */
export class IntrinsicResolver {
  private readonly exports = new Map<string, { value: unknown; template: Template }>();
  private readonly placeholders: Placeholders;
  private readonly referenced: Record<string, string> = {};

  constructor(templates: readonly Template[], placeholders: Partial<Placeholders> = {}) {
    this.placeholders = {
      region: placeholders.region ?? REHEARSAL_PLACEHOLDERS.region,
      accountId: placeholders.accountId ?? REHEARSAL_PLACEHOLDERS.accountId,
      bucketName: placeholders.bucketName ?? REHEARSAL_PLACEHOLDERS.bucketName,
    };
    for (const template of templates) {
      for (const output of Object.values(template.Outputs ?? {})) {
        const name = output.Export?.Name;
        if (typeof name === 'string') this.exports.set(name, { value: output.Value, template });
      }
    }
  }

  /** The value of every resource (by logical id) and export (by name) resolved so far. */
  get references(): Readonly<Record<string, string>> {
    return { ...this.referenced };
  }

  /** Resolves every intrinsic in `value`, in the context of `template`. */
  resolve(value: unknown, template: Template): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, template));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    const [first] = entries;
    if (
      entries.length === 1 &&
      first !== undefined &&
      (first[0] === 'Ref' || first[0].startsWith('Fn::'))
    )
      return this.intrinsic(first[0], first[1], template);
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v, template)]));
  }

  /** Resolves to a string (throws when the value is not one). */
  resolveString(value: unknown, template: Template): string {
    const resolved = this.resolve(value, template);
    if (typeof resolved !== 'string')
      throw new ValidationError(
        `Expected a string in the template, got ${JSON.stringify(resolved)}`,
      );
    return resolved;
  }

  private arn(service: string, resource: string): string {
    return `arn:aws:${service}:${this.placeholders.region}:${this.placeholders.accountId}:${resource}`;
  }

  private pseudo(name: string): string | undefined {
    const values: Record<string, string> = {
      'AWS::Region': this.placeholders.region,
      'AWS::AccountId': this.placeholders.accountId,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': 'rehearsal',
      'AWS::NoValue': '',
    };
    return values[name];
  }

  /** What `Ref` gives for a resource: names and ARNs in the placeholder account. */
  private refOf(logicalId: string, type: string): string {
    if (type === 'AWS::S3::Bucket') return this.placeholders.bucketName(logicalId);
    if (type === 'AWS::Batch::JobDefinition')
      return this.arn('batch', `job-definition/${logicalId}:1`);
    if (type === 'AWS::Batch::JobQueue') return this.arn('batch', `job-queue/${logicalId}`);
    if (type === 'AWS::SNS::Topic') return this.arn('sns', logicalId);
    // CloudFormation names ECR repositories in lower case (Docker refuses upper-case repositories)
    if (type === 'AWS::ECR::Repository') return logicalId.toLowerCase();
    if (type === 'AWS::StepFunctions::StateMachine')
      return this.arn('states', `stateMachine:${logicalId}`);
    return logicalId;
  }

  private getAtt(logicalId: string, type: string, attribute: string): string {
    if (attribute === 'Arn' && type === 'AWS::Lambda::Function')
      return this.arn('lambda', `function:${logicalId}`);
    if (attribute === 'Arn' && type === 'AWS::S3::Bucket')
      return `arn:aws:s3:::${this.placeholders.bucketName(logicalId)}`;
    const ref = this.refOf(logicalId, type);
    if (attribute.endsWith('Arn') && ref.startsWith('arn:')) return ref;
    if (attribute.endsWith('Arn'))
      return this.arn(type.split('::')[1]?.toLowerCase() ?? 'unknown', logicalId);
    return `${logicalId}.${attribute}`;
  }

  private typeOf(logicalId: string, template: Template): string {
    const resource = template.Resources?.[logicalId];
    if (resource === undefined)
      throw new ValidationError(`The template refers to ${logicalId}, which it does not define`);
    return resource.Type;
  }

  /** Notes what `key` (a logical id or an export name) resolved to. */
  private noted<T>(key: string, value: T): T {
    if (typeof value === 'string') this.referenced[key] = value;
    return value;
  }

  private intrinsic(name: string, arg: unknown, template: Template): unknown {
    const str = (v: unknown): string => this.resolveString(v, template);
    switch (name) {
      case 'Ref': {
        const id = String(arg);
        return this.pseudo(id) ?? this.noted(id, this.refOf(id, this.typeOf(id, template)));
      }
      case 'Fn::GetAtt': {
        const [id = '', attribute = ''] = Array.isArray(arg)
          ? arg.map(String)
          : String(arg).split('.');
        return this.noted(id, this.getAtt(id, this.typeOf(id, template), attribute));
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
        const exportName = str(arg);
        const exported = this.exports.get(exportName);
        if (exported === undefined)
          throw new ValidationError(
            `No stack of the app exports ${exportName} (Fn::ImportValue): pass the exporting stack's template`,
          );
        return this.noted(exportName, this.resolve(exported.value, exported.template));
      }
      case 'Fn::Sub':
        return this.sub(arg, template);
      default:
        throw new ValidationError(`Unsupported intrinsic in the template: cannot resolve ${name}`);
    }
  }

  private sub(arg: unknown, template: Template): string {
    const [text, vars] = Array.isArray(arg)
      ? (arg as [string, Record<string, unknown>])
      : [String(arg), {}];
    return text.replace(/\$\{([^}!]+)\}/g, (_, ref: string) => {
      if (vars[ref] !== undefined) return this.resolveString(vars[ref], template);
      const [id, attribute] = ref.split('.');
      return attribute === undefined
        ? this.resolveString({ Ref: id }, template)
        : this.resolveString({ 'Fn::GetAtt': [id, attribute] }, template);
    });
  }
}
