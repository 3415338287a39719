import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { NetworkConfig } from "../config";
import { policyDocument } from "../shared/iam";
import { serviceRole } from "../shared/role";
import { contextPrefix, PlatformContext, RegisteredAlarm } from "../shared/context";
import { interfaceEndpointPolicy, interfaceEndpointServiceNames, networkAlarms, subnetSpecs } from "./decisions";

export interface NetworkArgs {
    /** The stack's shared settings; the observability key encrypts the flow log group. */
    readonly context: PlatformContext;
    /** CIDR, availability zones, NAT strategy, interface endpoints and subnet sizes, from the stack config. */
    readonly network: NetworkConfig;
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
    readonly alarms: readonly RegisteredAlarm[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:network:Network", name, {}, opts);
        const context = args.context;
        const prefix = contextPrefix(context);
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
            { vpcId: this.vpcId, serviceName: `com.amazonaws.${context.region}.s3`, vpcEndpointType: "Gateway", routeTableIds: privateRouteTables.ids, tags: { Name: `${prefix}-s3` } },
            { parent: this },
        );

        const endpoints = interfaceEndpointServiceNames(context.region, network.interfaceEndpoints);
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
                        policy: pulumi.output(context.accountId).apply((accountId) => JSON.stringify(interfaceEndpointPolicy(endpoint.shortName, accountId))),
                        tags: { Name: `${prefix}-${endpoint.shortName}` },
                    },
                    { parent: this },
                );
            }
        }

        const flowLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { name: `/platform/${prefix}/vpc-flow-logs`, retentionInDays: context.logRetentionDays, kmsKeyId: context.keys.observability },
            { parent: this },
        );
        const { role: flowLogRole } = serviceRole(
            `${name}-flow-logs`,
            {
                service: "vpc-flow-logs.amazonaws.com",
                description: "Delivers VPC flow logs to their log group",
                accountId: context.accountId,
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
        this.alarms = context.alarms.registerAlarms(this, networkAlarms(name, namespace));
        this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds, alarms: this.alarms });
    }
}
