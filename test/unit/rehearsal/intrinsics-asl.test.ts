import { describe, expect, it } from 'vitest';
import { allStates, forInterpreter, noRetryWaits } from '../../../lib/rehearsal/asl.js';
import { IntrinsicResolver, type Template } from '../../../lib/rehearsal/intrinsics.js';

const storage: Template = {
  Resources: { DataBucket: { Type: 'AWS::S3::Bucket' } },
  Outputs: { Export: { Value: { Ref: 'DataBucket' }, Export: { Name: 'Storage:Bucket' } } },
};
const pipeline: Template = {
  Resources: {
    Fn: { Type: 'AWS::Lambda::Function' },
    Queue: { Type: 'AWS::Batch::JobQueue' },
    Def: { Type: 'AWS::Batch::JobDefinition' },
  },
};

describe('IntrinsicResolver', () => {
  const r = new IntrinsicResolver([storage, pipeline]);
  it('resolves Ref, GetAtt, Join, Sub and pseudo parameters in a stand-in account', () => {
    expect(r.resolve({ 'Fn::GetAtt': ['Fn', 'Arn'] }, pipeline)).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:Fn',
    );
    expect(r.resolve({ 'Fn::GetAtt': ['Queue', 'JobQueueArn'] }, pipeline)).toBe(
      r.resolve({ Ref: 'Queue' }, pipeline),
    );
    expect(
      r.resolve(
        { 'Fn::Join': ['', ['x-', { Ref: 'AWS::Region' }, '-', { Ref: 'Def' }]] },
        pipeline,
      ),
    ).toBe('x-us-east-1-arn:aws:batch:us-east-1:000000000000:job-definition/Def:1');
    expect(r.resolve({ 'Fn::Sub': '${AWS::AccountId}/${Fn.Arn}' }, pipeline)).toBe(
      '000000000000/arn:aws:lambda:us-east-1:000000000000:function:Fn',
    );
  });

  it('follows Fn::ImportValue to the exporting stack, giving buckets valid S3 names', () => {
    expect(r.resolve({ a: [{ 'Fn::ImportValue': 'Storage:Bucket' }] }, pipeline)).toEqual({
      a: ['rehearsal-databucket'],
    });
  });

  it('names what it cannot resolve', () => {
    expect(() => r.resolve({ Ref: 'Nope' }, pipeline)).toThrow(
      /refers to Nope, which it does not define/,
    );
    expect(() => r.resolve({ 'Fn::ImportValue': 'Other:X' }, pipeline)).toThrow(
      /No stack of the app exports Other:X/,
    );
    expect(() => r.resolve({ 'Fn::If': [] }, pipeline)).toThrow(/cannot resolve Fn::If/);
  });
});

describe('forInterpreter', () => {
  const definition = {
    StartAt: 'A',
    States: {
      A: {
        Type: 'Task',
        Resource: 'x',
        ResultPath: '$',
        Retry: [{ ErrorEquals: ['X'] }],
        Next: 'M',
      },
      M: {
        Type: 'Map',
        ItemProcessor: {
          StartAt: 'P',
          States: { P: { Type: 'Task', Resource: 'y', TimeoutSeconds: 5, End: true } },
        },
        End: true,
      },
    },
  };

  it('gives Task states AWS default timeout, writes ResultPath "$" as absent, and reaches into Map states', () => {
    const copy = forInterpreter(definition);
    const states = Object.fromEntries(allStates(copy));
    expect(states.A).toMatchObject({ TimeoutSeconds: 86_400 });
    expect(states.A).not.toHaveProperty('ResultPath');
    expect(states.P).toMatchObject({ TimeoutSeconds: 5 });
    expect(definition.States.A.ResultPath).toBe('$');
  });

  it('zeroes the wait of every retrying state', () => {
    expect(noRetryWaits(definition)).toEqual({ A: 0 });
  });
});
