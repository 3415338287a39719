import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { NetworkConfig } from "../config";
import { policyDocument } from "../shared/iam";
import { serviceRole } from "../shared/role";
import { Observability } from "../observability";
import { namePrefix } from "../shared/options";
import { interfaceEndpointPolicy, interfaceEndpointServiceNames, subnetSpecs } from "./decisions";

export interface NetworkArgs {
    readonly project: string;
    readonly stack: string;
    readonly region: string;
    readonly accountId: pulumi.Input<string>;
    readonly network: NetworkConfig;
    /** Encrypts the flow log group (the observability key). */
    readonly logsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    readonly observability: Observability;
}

/**
 * The VPC: private subnets for every workload, public subnets only for NAT gateways (none when
 * the NAT strategy is None), an S3 gateway endpoint on the private route tables, the configured
 * interface endpoints behind a security group that admits HTTPS from the VPC only, flow logs to
 * an encrypted log group, and the default security group stripped of every rule.
 */
export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    readonly cidr: string;
    readonly vpc: awsx.ec2.Vpc;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:network:Network", name, {}, opts);
        const prefix = namePrefix(args.project, args.stack);
        const network = args.network;
        this.cidr = network.cidr;

        this.vpc = new awsx.ec2.Vpc(
            name,
            {
                cidrBlock: network.cidr,
                numberOfAvailabilityZones: network.availabilityZones,
                natGateways: { strategy: network.natGateways },
                subnetStrategy: "Auto",
                subnetSpecs: subnetSpecs(network),
                enableDnsHostnames: true,
                enableDnsSupport: true,
                tags: { Name: prefix },
            },
            { parent: this },
        );
        this.vpcId = this.vpc.vpcId;
        this.privateSubnetIds = this.vpc.privateSubnetIds;
        this.publicSubnetIds = this.vpc.publicSubnetIds;

        new aws.ec2.DefaultSecurityGroup(`${name}-default`, { vpcId: this.vpcId, ingress: [], egress: [], tags: { Name: `${prefix}-default-locked` } }, { parent: this });

        // S3 traffic never crosses a NAT gateway: a gateway endpoint on every private route table.
        const privateRouteTables = aws.ec2.getRouteTablesOutput(
            { vpcId: this.vpcId, filters: [{ name: "association.subnet-id", values: this.privateSubnetIds }] },
            { parent: this },
        );
        new aws.ec2.VpcEndpoint(
            `${name}-s3`,
            { vpcId: this.vpcId, serviceName: `com.amazonaws.${args.region}.s3`, vpcEndpointType: "Gateway", routeTableIds: privateRouteTables.ids, tags: { Name: `${prefix}-s3` } },
            { parent: this },
        );

        const endpoints = interfaceEndpointServiceNames(args.region, network.interfaceEndpoints);
        if (endpoints.length > 0) {
            const endpointSg = new aws.ec2.SecurityGroup(
                `${name}-endpoints`,
                {
                    vpcId: this.vpcId,
                    description: "Interface VPC endpoints: HTTPS from inside the VPC only",
                    ingress: [{ description: "HTTPS from the VPC", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [network.cidr] }],
                    egress: [],
                    tags: { Name: `${prefix}-endpoints` },
                },
                { parent: this },
            );
            for (const endpoint of endpoints) {
                new aws.ec2.VpcEndpoint(
                    `${name}-${endpoint.shortName}`,
                    {
                        vpcId: this.vpcId,
                        serviceName: endpoint.serviceName,
                        vpcEndpointType: "Interface",
                        privateDnsEnabled: true,
                        subnetIds: this.privateSubnetIds,
                        securityGroupIds: [endpointSg.id],
                        policy: pulumi.output(args.accountId).apply((accountId) => JSON.stringify(interfaceEndpointPolicy(endpoint.shortName, accountId))),
                        tags: { Name: `${prefix}-${endpoint.shortName}` },
                    },
                    { parent: this },
                );
            }
        }

        const flowLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { name: `/platform/${prefix}/vpc-flow-logs`, retentionInDays: args.logRetentionDays, kmsKeyId: args.logsKeyArn },
            { parent: this },
        );
        const { role: flowLogRole } = serviceRole(
            `${name}-flow-logs`,
            {
                service: "vpc-flow-logs.amazonaws.com",
                description: "Delivers VPC flow logs to their log group",
                accountId: args.accountId,
                policy: flowLogGroup.arn.apply((arn) =>
                    policyDocument({ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [arn, `${arn}:*`] }),
                ),
            },
            this,
        );
        new aws.ec2.FlowLog(
            `${name}-flow-logs`,
            { vpcId: this.vpcId, trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: flowLogGroup.arn, iamRoleArn: flowLogRole.arn, maxAggregationInterval: 60 },
            { parent: this },
        );

        // Rejected flows (default flow log format, field 13 = action) as a metric: a burst means a
        // security group or route is blocking platform traffic, or something is probing the VPC.
        const namespace = `Platform/${prefix}/Network`;
        new aws.cloudwatch.LogMetricFilter(
            `${name}-rejected-flows`,
            {
                logGroupName: flowLogGroup.name,
                pattern: "[version, account, eni, source, destination, srcport, destport, protocol, packets, bytes, windowstart, windowend, action=\"REJECT\", flowlogstatus]",
                metricTransformation: { name: "RejectedFlows", namespace, value: "1", defaultValue: "0", unit: "Count" },
            },
            { parent: this },
        );
        args.observability.addAlarm(this, `${name}-rejected-flows`, {
            stage: "network",
            description: "More than 500 flows were rejected in 5 minutes for 3 periods: a security group or route blocks platform traffic, or something probes the VPC. Query the flow log group for action REJECT.",
            namespace,
            metricName: "RejectedFlows",
            dimensions: {},
            statistic: "Sum",
            comparisonOperator: "GreaterThanThreshold",
            threshold: 500,
            evaluationPeriods: 3,
        });
        this.registerOutputs({ vpcId: this.vpcId });
    }
}
