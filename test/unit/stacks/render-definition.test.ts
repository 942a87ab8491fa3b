import { describe, expect, it } from 'vitest';
import {
  renderStateMachineDefinition,
  type CfnTemplate,
} from '../../../lib/rehearsal/render-definition.js';

const machine = (definitionString: unknown): CfnTemplate => ({
  Resources: {
    Fn1: { Type: 'AWS::Lambda::Function' },
    Queue1: { Type: 'AWS::Batch::JobQueue' },
    Data: { Type: 'AWS::S3::Bucket' },
    Machine: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: { DefinitionString: definitionString },
    },
  },
});

describe('renderStateMachineDefinition', () => {
  it('replaces Fn::Join, Fn::GetAtt, Ref and pseudo parameters with placeholder ARNs', () => {
    const template = machine({
      'Fn::Join': [
        '',
        [
          '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"',
          { 'Fn::GetAtt': ['Fn1', 'Arn'] },
          '","Parameters":{"Q":"',
          { Ref: 'Queue1' },
          '","B":"',
          { Ref: 'Data' },
          '","R":"',
          { Ref: 'AWS::Region' },
          '"},"End":true}}}',
        ],
      ],
    });
    const { definition, resourceArns } = renderStateMachineDefinition(template, {
      region: 'eu-west-1',
      accountId: '111122223333',
    });
    expect(definition).toEqual({
      StartAt: 'A',
      States: {
        A: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:eu-west-1:111122223333:function:Fn1',
          Parameters: {
            Q: 'arn:aws:batch:eu-west-1:111122223333:job-queue/Queue1',
            B: 'data',
            R: 'eu-west-1',
          },
          End: true,
        },
      },
    });
    expect(resourceArns).toEqual({
      Fn1: 'arn:aws:lambda:eu-west-1:111122223333:function:Fn1',
      Queue1: 'arn:aws:batch:eu-west-1:111122223333:job-queue/Queue1',
      Data: 'data',
    });
  });

  it('resolves cross-stack imports through the exporting template', () => {
    const exporter: CfnTemplate = {
      Resources: { Q: { Type: 'AWS::Batch::JobQueue' } },
      Outputs: { Out: { Value: { Ref: 'Q' }, Export: { Name: 'Compute:QueueArn' } } },
    };
    const template = machine({
      'Fn::Join': [
        '',
        [
          '{"Comment":"',
          { 'Fn::ImportValue': 'Compute:QueueArn' },
          '","StartAt":"S","States":{"S":{"Type":"Succeed"}}}',
        ],
      ],
    });
    const { definition, resourceArns } = renderStateMachineDefinition(template, {
      templates: [exporter],
    });
    expect(definition.Comment).toBe('arn:aws:batch:us-east-1:123456789012:job-queue/Q');
    expect(resourceArns['Compute:QueueArn']).toBe(definition.Comment);
  });

  it('names what it cannot resolve', () => {
    expect(() => renderStateMachineDefinition(machine({ 'Fn::ImportValue': 'Nope' }))).toThrow(
      'No stack of the app exports Nope',
    );
    expect(() => renderStateMachineDefinition(machine({ Ref: 'Missing' }))).toThrow(
      'The template refers to Missing, which it does not define',
    );
    expect(() => renderStateMachineDefinition(machine({ 'Fn::If': [] }))).toThrow(
      /Unsupported intrinsic/,
    );
    expect(() => renderStateMachineDefinition({ Resources: {} })).toThrow(
      'Expected one AWS::StepFunctions::StateMachine in the template, found 0',
    );
  });
});
