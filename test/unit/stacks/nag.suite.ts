import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  actionsOf,
  nagFindings,
  policyStatements,
  type Fixtures,
  type SynthFixture,
} from './support.js';

/** Actions without resource-level permissions: the only ones allowed on Resource "*". */
const STAR_RESOURCE_ACTIONS = new Set([
  'batch:DescribeJobs',
  'batch:DescribeJobDefinitions',
  'ecr:GetAuthorizationToken',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:DescribeLogGroups',
  'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DeleteResourcePolicy',
  'logs:UpdateLogDelivery',
]);

function acknowledgements(scope: IConstruct): { id: string; reason: unknown }[] {
  const own = scope.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) =>
      Object.entries(m.data as Record<string, unknown>).map(([id, reason]) => ({ id, reason })),
    );
  return [...own, ...scope.node.children.flatMap(acknowledgements)];
}

/** nagSuite: registers its tests; `fixtures` is set by the caller's beforeAll. */
export function nagSuite(fixtures: () => Fixtures): void {
  describe('cdk-nag AwsSolutions and IAM hygiene', () => {
    let all: Record<string, SynthFixture>;
    beforeAll(() => {
      all = { ...fixtures() };
    });

    it.each(['dev', 'prod', 'ec2'])('%s has zero unacknowledged findings', (name) => {
      expect(nagFindings(all[name] as SynthFixture)).toEqual([]);
    });

    it('gives every acknowledgement a written reason', () => {
      const acks = acknowledgements((all.dev as SynthFixture).app);
      expect(acks.length).toBeGreaterThan(5);
      for (const ack of acks) {
        expect(typeof ack.reason, ack.id).toBe('string');
        expect((ack.reason as string).length, ack.id).toBeGreaterThan(30);
      }
    });

    it.each(['dev', 'prod', 'ec2'])(
      '%s grants no wildcard action, and Resource "*" only for actions without resource-level permissions',
      (name) => {
        const fixture = all[name] as SynthFixture;
        for (const stack of ['storage', 'compute', 'pipeline', 'monitoring'] as const) {
          for (const statement of policyStatements(fixture.template(stack))) {
            const actions = actionsOf(statement);
            for (const action of actions) expect(action, `${stack}: ${action}`).not.toContain('*');
            if (statement.Effect === 'Allow' && statement.Resource === '*') {
              for (const action of actions)
                expect(STAR_RESOURCE_ACTIONS.has(action), `${stack}: ${action} on *`).toBe(true);
            }
          }
        }
      },
    );
  });
}
