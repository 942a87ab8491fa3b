import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
// cdk-nag's own flattening, so acknowledged ids match its findings exactly.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';

/** Acknowledges one cdk-nag finding on a construct (and everything under it), with the written reason. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** A reviewed wildcard resource: the flattened resource it matches and why it is needed. */
export interface WildcardReason {
  readonly resource: RegExp;
  readonly reason: string;
}

interface Statement {
  readonly Effect?: string;
  readonly Resource?: unknown;
}

function policyStatements(node: CfnResource): Statement[] {
  const stack = Stack.of(node);
  if (node instanceof iam.CfnPolicy || node instanceof iam.CfnManagedPolicy)
    return (stack.resolve(node.policyDocument) as { Statement?: Statement[] }).Statement ?? [];
  if (node instanceof iam.CfnRole) {
    const policies =
      (stack.resolve(node.policies) as
        { policyDocument: { Statement?: Statement[] } }[] | undefined) ?? [];
    return policies.flatMap((p) => p.policyDocument.Statement ?? []);
  }
  return [];
}

function walk(scope: IConstruct, visit: (node: CfnResource) => void): void {
  if (CfnResource.isCfnResource(scope)) visit(scope);
  for (const child of scope.node.children) walk(child, visit);
}

/**
 * Acknowledges AwsSolutions-IAM5 for each wildcard resource under `scope`
 * that one of `reasons` matches, with that reason. Wildcard actions are never
 * acknowledged, and a wildcard resource no reason matches stays a finding.
 * Call after every statement is added (the end of a stack's constructor).
 */
export function acknowledgeWildcardResources(
  scope: IConstruct,
  reasons: readonly WildcardReason[],
): void {
  walk(scope, (node) => {
    const resources = policyStatements(node)
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
      .map((r) => flattenCfnReference(r))
      .filter((r) => r.includes('*'));
    for (const resource of new Set(resources)) {
      const match = reasons.find((r) => r.resource.test(resource));
      if (match !== undefined)
        acknowledge(node, `AwsSolutions-IAM5[Resource::${resource}]`, match.reason);
    }
  });
}

/** The managed policy CDK attaches to lambda roles for CloudWatch Logs. */
export const LAMBDA_BASIC_EXECUTION =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
