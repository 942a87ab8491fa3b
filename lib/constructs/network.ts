import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Props of {@link Network}. */
export interface NetworkProps {
  /** `endpoints`: isolated subnets reaching AWS through VPC endpoints; `nat`: private subnets behind one NAT gateway. */
  readonly mode: 'endpoints' | 'nat';
  readonly maxAzs: number;
  /** EC2 compute needs the ECS endpoints too. */
  readonly ec2: boolean;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The VPC the Batch tasks run in. Tasks never get public IPs: with
 * `endpoints` the subnets have no route to the internet at all (S3 through a
 * gateway endpoint; ECR and CloudWatch Logs through interface endpoints);
 * with `nat` they reach it through one NAT gateway. Rejected traffic is
 * flow-logged.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  /** The security group of the Batch tasks: HTTPS out, nothing in. */
  readonly taskSecurityGroup: ec2.SecurityGroup;
  /** The subnets tasks run in. */
  readonly taskSubnets: ec2.SubnetSelection;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const isolated = props.mode === 'endpoints';
    const taskSubnetType = isolated
      ? ec2.SubnetType.PRIVATE_ISOLATED
      : ec2.SubnetType.PRIVATE_WITH_EGRESS;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: props.maxAzs,
      natGateways: isolated ? 0 : 1,
      subnetConfiguration: [
        { name: 'tasks', subnetType: taskSubnetType, cidrMask: 20 },
        ...(isolated
          ? []
          : [
              {
                name: 'public',
                subnetType: ec2.SubnetType.PUBLIC,
                cidrMask: 24,
                mapPublicIpOnLaunch: false,
              },
            ]),
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    this.taskSubnets = { subnetType: taskSubnetType };
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.vpc.addFlowLog('RejectedTraffic', {
      trafficType: ec2.FlowLogTrafficType.REJECT,
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
    });
    this.taskSecurityGroup = new ec2.SecurityGroup(this, 'Tasks', {
      vpc: this.vpc,
      description: 'epycloud Batch tasks: HTTPS out only',
      allowAllOutbound: false,
    });
    this.taskSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS to AWS APIs (endpoints, S3 gateway, or NAT)',
    );
    if (isolated) this.addInterfaceEndpoints(props.ec2);
  }

  private addInterfaceEndpoints(ec2Compute: boolean): void {
    const services = {
      EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
      EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      ...(ec2Compute
        ? {
            Ecs: ec2.InterfaceVpcEndpointAwsService.ECS,
            EcsAgent: ec2.InterfaceVpcEndpointAwsService.ECS_AGENT,
            EcsTelemetry: ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
          }
        : {}),
    };
    const endpointSecurityGroup = new ec2.SecurityGroup(this, 'Endpoints', {
      vpc: this.vpc,
      description: 'epycloud VPC interface endpoints: HTTPS from the tasks',
      allowAllOutbound: false,
    });
    endpointSecurityGroup.addIngressRule(
      this.taskSecurityGroup,
      ec2.Port.tcp(443),
      'HTTPS from the Batch tasks',
    );
    for (const [id, service] of Object.entries(services)) {
      this.vpc.addInterfaceEndpoint(id, {
        service,
        subnets: this.taskSubnets,
        securityGroups: [endpointSecurityGroup],
        privateDnsEnabled: true,
      });
    }
  }
}
