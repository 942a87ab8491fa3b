import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { STACK_OUTPUTS } from '../../../lib/contract/execution.js';
import { RETENTION_TAG } from '../../../lib/contract/retention.js';
import {
  DATA_BUCKET_LOGICAL_ID,
  RUN_DATA_OBJECT_ACTIONS,
} from '../../../lib/stacks/storage-stack.js';
import type { Fixtures, SynthFixture } from './support.js';

/** storageStackSuite: registers its tests; `fixtures` is set by the caller's beforeAll. */
export function storageStackSuite(fixtures: () => Fixtures): void {
  describe('StorageStack', () => {
    let dev: SynthFixture;
    let prod: SynthFixture;
    beforeAll(() => {
      ({ dev, prod } = fixtures());
    });

    it('keeps the data bucket under a fixed logical id', () => {
      expect(Object.keys(dev.template('storage').findResources('AWS::S3::Bucket'))).toContain(
        DATA_BUCKET_LOGICAL_ID,
      );
      expect(Object.keys(prod.template('storage').findResources('AWS::S3::Bucket'))).toContain(
        DATA_BUCKET_LOGICAL_ID,
      );
    });

    it('blocks public access, encrypts, versions and logs access', () => {
      dev.template('storage').hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'data-bucket/' }),
      });
    });

    it('expires only objects tagged intermediate, after the configured days', () => {
      const rules = prod.template('storage').toJSON().Resources[DATA_BUCKET_LOGICAL_ID].Properties
        .LifecycleConfiguration.Rules;
      expect(rules).toContainEqual(
        expect.objectContaining({
          Id: 'expire-intermediate-artifacts',
          Status: 'Enabled',
          ExpirationInDays: 14,
          TagFilters: [{ Key: RETENTION_TAG.key, Value: RETENTION_TAG.intermediate }],
        }),
      );
      // No rule expires current objects without the tag filter: outputs and experiment snapshots are kept.
      for (const rule of rules)
        if (rule.ExpirationInDays !== undefined) expect(rule.TagFilters).toBeDefined();
    });

    it('denies every request that is not TLS, on both buckets', () => {
      const policies = dev.template('storage').findResources('AWS::S3::BucketPolicy');
      expect(Object.keys(policies)).toHaveLength(2);
      for (const policy of Object.values(policies)) {
        expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        );
      }
    });

    it('retains the buckets in prod and destroys them in dev', () => {
      prod.template('storage').hasResource('AWS::S3::Bucket', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      expect(
        Object.values(prod.template('storage').findResources('AWS::S3::Bucket')).every(
          (b) => b.DeletionPolicy === 'Retain',
        ),
      ).toBe(true);
      expect(
        dev.template('storage').toJSON().Resources[DATA_BUCKET_LOGICAL_ID].DeletionPolicy,
      ).toBe('Delete');
    });

    it('grants stage containers explicit object actions on the data bucket only', () => {
      dev.template('storage').hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: [...RUN_DATA_OBJECT_ACTIONS],
              Resource: {
                'Fn::Join': ['', [{ 'Fn::GetAtt': [DATA_BUCKET_LOGICAL_ID, 'Arn'] }, '/*']],
              },
            }),
          ]),
        },
      });
    });

    it('outputs the bucket name under the id the CLI reads', () => {
      dev
        .template('storage')
        .hasOutput(STACK_OUTPUTS.bucketName, { Value: { Ref: DATA_BUCKET_LOGICAL_ID } });
    });
  });
}
