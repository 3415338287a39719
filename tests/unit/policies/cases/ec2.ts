import * as aws from "@pulumi/aws";
import * as ec2 from "../../../../policies/ec2";
import { fixture, PropsOf, raw } from "../helpers";
import { fails, passes, PolicyCase } from "./types";

type SgProps = PropsOf<aws.ec2.SecurityGroupArgs>;
const https = { description: "HTTPS to AWS APIs", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] };
const sg = (name: string, props: Partial<SgProps> = {}) =>
    fixture(aws.ec2.SecurityGroup, name, { vpcId: "vpc-1", description: "Redshift: SQL clients inside the VPC only", ingress: [{ description: "SQL", protocol: "tcp", fromPort: 5439, toPort: 5439, cidrBlocks: ["10.20.0.0/16"] }], egress: [https], ...props }, { outputs: { id: `sg-${name}` } });

const vpc = (publicSubnetIds: string[] = ["subnet-public-1"]) =>
    raw("awsx:ec2:Vpc", "network", { cidrBlock: "10.20.0.0/16" }, { outputs: { vpcId: "vpc-1", privateSubnetIds: ["subnet-private-1", "subnet-private-2"], publicSubnetIds } });
const flowLog = fixture(aws.ec2.FlowLog, "network-flow-logs", { vpcId: "vpc-1", trafficType: "ALL", logDestination: "arn:aws:logs:us-east-1:123456789012:log-group:flow" });
const defaultSg = (props: Partial<PropsOf<aws.ec2.DefaultSecurityGroupArgs>> = {}) => fixture(aws.ec2.DefaultSecurityGroup, "network-default", { vpcId: "vpc-1", ingress: [], egress: [], ...props });
const workgroup = (subnetIds: string[], securityGroupIds = ["sg-warehouse"]) =>
    fixture(aws.redshiftserverless.Workgroup, "warehouse-workgroup", { workgroupName: "w", namespaceName: "n", subnetIds, securityGroupIds });

export const ec2Cases: PolicyCase[] = [
    passes(ec2.ec2SecurityGroupDescriptions, "described group and rules", sg("warehouse")),
    fails(ec2.ec2SecurityGroupDescriptions, "the default description", sg("warehouse", { description: undefined }), /must have a description of its purpose; found "Managed by Pulumi \(the default\)"/),
    fails(ec2.ec2SecurityGroupDescriptions, "an undescribed rule", sg("warehouse", { egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] }), /egress rule 1 \(port 443\) must have a description/),
    fails(ec2.ec2SecurityGroupDescriptions, "an undescribed standalone rule", fixture(aws.vpc.SecurityGroupIngressRule, "r", { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 9098, toPort: 9098, referencedSecurityGroupId: "sg-2" }), /must have a description/),

    passes(ec2.ec2SecurityGroupNoPublicIngress, "ingress from the VPC only", sg("warehouse")),
    fails(ec2.ec2SecurityGroupNoPublicIngress, "SSH from anywhere", sg("warehouse", { ingress: [{ description: "ssh", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] }), /admits 0.0.0.0\/0 on port 22/),
    fails(
        ec2.ec2SecurityGroupNoPublicIngress,
        "finding 4: port 5439 open to 0.0.0.0/1 plus 128.0.0.0/1 (the whole internet)",
        sg("warehouse", { ingress: [{ description: "SQL", protocol: "tcp", fromPort: 5439, toPort: 5439, cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"] }] }),
        /admits 0.0.0.0\/1, 128.0.0.0\/1 on port 5439/,
    ),
    fails(
        ec2.ec2SecurityGroupNoPublicIngress,
        "a public /32 (one internet host)",
        fixture(aws.vpc.SecurityGroupIngressRule, "r", { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 5439, toPort: 5439, cidrIpv4: "52.94.76.7/32", description: "partner" }),
        /admits 52.94.76.7\/32 on port 5439/,
    ),
    fails(
        ec2.ec2SecurityGroupNoPublicIngress,
        "an IPv6 global-unicast range",
        sg("warehouse", { ingress: [{ description: "SQL", protocol: "tcp", fromPort: 5439, toPort: 5439, ipv6CidrBlocks: ["2000::/3"] }] }),
        /admits 2000::\/3 on port 5439/,
    ),
    passes(
        ec2.ec2SecurityGroupNoPublicIngress,
        "private ranges only (RFC 1918 and IPv6 unique-local)",
        sg("warehouse", { ingress: [{ description: "SQL", protocol: "tcp", fromPort: 5439, toPort: 5439, cidrBlocks: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], ipv6CidrBlocks: ["fd00::/8"] }] }),
    ),
    fails(ec2.ec2SecurityGroupNoPublicIngress, "a standalone IPv6 rule for all traffic", fixture(aws.vpc.SecurityGroupIngressRule, "r", { securityGroupId: "sg-1", ipProtocol: "-1", cidrIpv6: "::/0", description: "all" }), /admits ::\/0 on all ports/),

    passes(ec2.ec2SecurityGroupNoUnrestrictedEgress, "HTTPS out only", sg("warehouse")),
    fails(ec2.ec2SecurityGroupNoUnrestrictedEgress, "all traffic out", sg("warehouse", { egress: [{ description: "all", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] }), /allows all traffic to 0.0.0.0\/0/),

    passes(ec2.ec2SecurityGroupAttached, "used by the workgroup", [sg("warehouse"), workgroup(["subnet-private-1"])]),
    fails(ec2.ec2SecurityGroupAttached, "used by nothing", [sg("warehouse"), workgroup(["subnet-private-1"], [])], /SecurityGroup "warehouse" is not attached to any resource/),

    passes(ec2.ec2VpcFlowLogs, "a flow log for the VPC", [vpc(), flowLog]),
    fails(ec2.ec2VpcFlowLogs, "no flow log", [vpc()], /Vpc "network" must record flow logs/),

    passes(ec2.ec2DefaultSecurityGroupRestricted, "the default group stripped of rules", [vpc(), defaultSg()]),
    fails(ec2.ec2DefaultSecurityGroupRestricted, "the default group left alone", [vpc()], /must manage its default security group with no rules/),
    fails(ec2.ec2DefaultSecurityGroupRestricted, "the default group with a rule", [vpc(), defaultSg({ egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] })], /must have no rules; it has 1/),

    passes(ec2.ec2SubnetNoPublicIpOnLaunch, "a private subnet", fixture(aws.ec2.Subnet, "private-1", { vpcId: "vpc-1", cidrBlock: "10.20.0.0/18", mapPublicIpOnLaunch: false })),
    fails(ec2.ec2SubnetNoPublicIpOnLaunch, "awsx's public subnet", fixture(aws.ec2.Subnet, "public-1", { vpcId: "vpc-1", cidrBlock: "10.20.192.0/20", mapPublicIpOnLaunch: true }), /mapPublicIpOnLaunch must be false/),

    passes(ec2.ec2SubnetNoPublicDataStores, "a workgroup in private subnets", [vpc(), workgroup(["subnet-private-1", "subnet-private-2"])]),
    fails(ec2.ec2SubnetNoPublicDataStores, "a workgroup in a public subnet (awsx output)", [vpc(), workgroup(["subnet-private-1", "subnet-public-1"])], /Workgroup "warehouse-workgroup" is placed in public subnet subnet-public-1/),
    fails(
        ec2.ec2SubnetNoPublicDataStores,
        "an MSK cluster in a subnet routed to an internet gateway",
        [
            fixture(aws.ec2.InternetGateway, "igw", { vpcId: "vpc-1" }, { outputs: { id: "igw-1" } }),
            fixture(aws.ec2.RouteTable, "rt-public", { vpcId: "vpc-1" }, { outputs: { id: "rtb-public" } }),
            fixture(aws.ec2.Route, "default", { routeTableId: "rtb-public", destinationCidrBlock: "0.0.0.0/0", gatewayId: "igw-1" }),
            fixture(aws.ec2.RouteTableAssociation, "assoc", { routeTableId: "rtb-public", subnetId: "subnet-edge" }),
            fixture(aws.msk.Cluster, "streaming-cluster", { kafkaVersion: "3.9.x", numberOfBrokerNodes: 3, brokerNodeGroupInfo: { instanceType: "kafka.m7g.large", clientSubnets: ["subnet-edge"], securityGroups: ["sg-b"] } }),
        ],
        /Cluster "streaming-cluster" is placed in public subnet subnet-edge/,
    ),
];
