import * as aws from "@pulumi/aws";
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { policyConfig } from "./lib/config";
import { publicRanges } from "./lib/cidr";
import { checkov } from "./lib/metadata";
import { collectStrings, dependsOn, label, ofType, prop, typeToken } from "./lib/stack";
import { asList, isKnown, isObject, knownOr, plain, probe, show } from "./lib/values";

type Report = (message: string) => void;

interface InlineRule {
    description?: string;
    protocol?: string;
    fromPort?: number;
    toPort?: number;
    cidrBlocks?: string[];
    ipv6CidrBlocks?: string[];
}

/** The ranges of a rule that admit public internet addresses, e.g. "0.0.0.0/1, 128.0.0.0/1"; `undefined` when none (or unknown during preview). */
function ruleTarget(rule: { cidrBlocks?: string[]; ipv6CidrBlocks?: string[] }): string | undefined {
    const cidrs = probe(() => [...asList(rule.cidrBlocks), ...asList(rule.ipv6CidrBlocks)].map(String));
    const open = isKnown(cidrs) ? publicRanges(cidrs) : [];
    return open.length > 0 ? open.join(", ") : undefined;
}

/** The public ranges of a standalone VPC rule (cidrIpv4 / cidrIpv6). */
function standaloneTarget(rule: { cidrIpv4?: string; cidrIpv6?: string }): string | undefined {
    const cidrs = probe(() => [rule.cidrIpv4, rule.cidrIpv6]);
    const open = isKnown(cidrs) ? publicRanges(cidrs.filter((c): c is string => typeof c === "string" && c !== "")) : [];
    return open.length > 0 ? open.join(", ") : undefined;
}

/** Inline rules of a security group, read as plain data; none while they are unknown during preview. */
function rulesOf(read: () => InlineRule[] | undefined): InlineRule[] {
    const rules = probe(() => plain(asList(read())) as InlineRule[]);
    return isKnown(rules) ? rules : [];
}

function ports(rule: { protocol?: string; fromPort?: number; toPort?: number }): string {
    if (rule.protocol === "-1" || rule.protocol === "all") {
        return "all ports";
    }
    return rule.fromPort === rule.toPort ? `port ${rule.fromPort}` : `ports ${rule.fromPort}-${rule.toPort}`;
}

function allPorts(rule: { protocol?: string; fromPort?: number; toPort?: number }): boolean {
    return rule.protocol === "-1" || rule.protocol === "all" || (rule.fromPort === 0 && rule.toPort === 65535) || (rule.fromPort === -1 && rule.toPort === -1);
}

/** @severity low */
export const ec2SecurityGroupDescriptions: ResourceValidationPolicy = {
    name: "ec2-security-group-descriptions",
    description: "Checks whether security groups and each of their rules carry a description that says why the traffic is allowed.",
    enforcementLevel: "advisory",
    severity: "low",
    framework: checkov(["CKV_AWS_23"], "Ensure every security group and rule has a description."),
    tags: ["governance", "network", "ec2"],
    remediationSteps: 'Set description on the security group (not the default "Managed by Pulumi") and on every ingress and egress rule.',
    validateResource: [
        validateResourceOfType(aws.ec2.SecurityGroup, (group, _args, report) => {
            if (!group.description || group.description === "Managed by Pulumi") {
                report(`The security group must have a description of its purpose; found ${show(group.description ?? "Managed by Pulumi (the default)")}.`);
            }
            checkInlineDescriptions(rulesOf(() => group.ingress), "ingress", report);
            checkInlineDescriptions(rulesOf(() => group.egress), "egress", report);
        }),
        validateResourceOfType(aws.ec2.DefaultSecurityGroup, (group, _args, report) => {
            checkInlineDescriptions(rulesOf(() => group.ingress), "ingress", report);
            checkInlineDescriptions(rulesOf(() => group.egress), "egress", report);
        }),
        validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, _args, report) => {
            if (!rule.description) {
                report("The rule must have a description; none is set.");
            }
        }),
        validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, _args, report) => {
            if (!rule.description) {
                report("The rule must have a description; none is set.");
            }
        }),
        validateResourceOfType(aws.vpc.SecurityGroupEgressRule, (rule, _args, report) => {
            if (!rule.description) {
                report("The rule must have a description; none is set.");
            }
        }),
    ],
};

function checkInlineDescriptions(rules: InlineRule[], kind: string, report: Report): void {
    rules.forEach((rule, i) => {
        if (!rule.description) {
            report(`${kind} rule ${i + 1} (${ports(rule)}) must have a description; none is set.`);
        }
    });
}

/** @severity critical */
export const ec2SecurityGroupNoPublicIngress: ResourceValidationPolicy = {
    name: "ec2-security-group-no-public-ingress",
    description: "Checks whether security groups admit no inbound traffic from public internet addresses (any range that overlaps them, 0.0.0.0/0, ::/0 or 0.0.0.0/1 alike) on any port, SSH, RDP and HTTP included.",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(
        ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277"],
        "Ensure no security groups allow ingress from 0.0.0.0:0 to port 22, 3389, 80 or all ports.",
    ),
    tags: ["security", "network", "ec2"],
    remediationSteps: "Admit traffic from the VPC CIDR or a referenced security group instead of 0.0.0.0/0; reach instances through Session Manager.",
    validateResource: [
        validateResourceOfType(aws.ec2.SecurityGroup, (group, _args, report) => {
            for (const rule of rulesOf(() => group.ingress)) {
                const source = ruleTarget(rule);
                if (source) {
                    report(`An ingress rule admits ${source} on ${ports(rule)}; admit the VPC CIDR or a security group instead.`);
                }
            }
        }),
        validateResourceOfType(aws.ec2.DefaultSecurityGroup, (group, _args, report) => {
            for (const rule of rulesOf(() => group.ingress)) {
                const source = ruleTarget(rule);
                if (source) {
                    report(`An ingress rule admits ${source} on ${ports(rule)}.`);
                }
            }
        }),
        validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, _args, report) => {
            const source = ruleTarget(rule);
            if (rule.type === "ingress" && source) {
                report(`The ingress rule admits ${source} on ${ports(rule)}; admit the VPC CIDR or a security group instead.`);
            }
        }),
        validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, _args, report) => {
            const source = standaloneTarget(rule);
            if (source) {
                report(`The ingress rule admits ${source} on ${ports({ protocol: rule.ipProtocol, fromPort: rule.fromPort, toPort: rule.toPort })}; admit the VPC CIDR or a security group instead.`);
            }
        }),
    ],
};

/** @severity medium */
export const ec2SecurityGroupNoUnrestrictedEgress: ResourceValidationPolicy = {
    name: "ec2-security-group-no-unrestricted-egress",
    description: "Checks whether security groups avoid allowing outbound traffic to the internet on all ports and protocols.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_382"], "Ensure no security groups allow egress from 0.0.0.0:0 to port -1 (all ports)."),
    tags: ["security", "network", "ec2"],
    remediationSteps: "Allow the ports the workload uses (e.g. TCP 443 to AWS APIs) instead of all traffic.",
    validateResource: [
        validateResourceOfType(aws.ec2.SecurityGroup, (group, _args, report) => {
            for (const rule of rulesOf(() => group.egress)) {
                const target = ruleTarget(rule);
                if (target && allPorts(rule)) {
                    report(`An egress rule allows all traffic to ${target}; allow named ports (e.g. TCP 443) instead.`);
                }
            }
        }),
        validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, _args, report) => {
            const target = ruleTarget(rule);
            if (rule.type === "egress" && target && allPorts(rule)) {
                report(`The egress rule allows all traffic to ${target}; allow named ports instead.`);
            }
        }),
        validateResourceOfType(aws.vpc.SecurityGroupEgressRule, (rule, _args, report) => {
            const target = standaloneTarget(rule);
            if (target && allPorts({ protocol: rule.ipProtocol, fromPort: rule.fromPort, toPort: rule.toPort })) {
                report(`The egress rule allows all traffic to ${target}; allow named ports instead.`);
            }
        }),
    ],
};

const ruleTypes = [aws.ec2.SecurityGroupRule, aws.vpc.SecurityGroupIngressRule, aws.vpc.SecurityGroupEgressRule, aws.ec2.SecurityGroup].map(typeToken);

/** @severity low */
export const ec2SecurityGroupAttached: StackValidationPolicy = {
    name: "ec2-security-group-attached",
    description: "Checks whether every security group of the stack is attached to something (an ENI-backed resource, endpoint, cluster, function or job), so unused groups do not linger.",
    enforcementLevel: "advisory",
    severity: "low",
    framework: checkov(["CKV2_AWS_5"], "Ensure that Security Groups are attached to another resource."),
    tags: ["governance", "network", "ec2"],
    remediationSteps: "Attach the security group to the resource it was made for, or delete it.",
    validateStack: (args, reportViolation) => {
        const users = args.resources.filter((r) => !ruleTypes.includes(r.type));
        for (const group of ofType(args.resources, aws.ec2.SecurityGroup)) {
            const id = prop(group, (p) => p.id as string | undefined);
            const attached = users.some((r) => {
                if (isKnown(id) && typeof id === "string" && id !== "") {
                    const strings = prop(r, (p) => collectStrings(p));
                    return isKnown(strings) ? strings.some((s) => s === id || s.split(",").map((x) => x.trim()).includes(id)) : dependsOn(r, group);
                }
                return dependsOn(r, group);
            });
            if (!attached) {
                reportViolation(`${label(group)} is not attached to any resource of the stack; attach it or delete it.`, group.urn);
            }
        }
    },
};

/** The VPCs of the stack and their IDs (`id` of aws.ec2.Vpc, `vpcId` of the awsx component). */
function vpcs(resources: readonly PolicyResource[]): { vpc: PolicyResource; id: string | undefined }[] {
    return [
        ...ofType(resources, aws.ec2.Vpc).map((vpc) => ({ vpc, id: knownOr(prop(vpc, (p) => p.id as string | undefined)) })),
        ...ofType(resources, "awsx:ec2:Vpc").map((vpc) => ({ vpc, id: knownOr(prop(vpc, (p) => p.vpcId as string | undefined)) })),
    ];
}

/** Resources of `types` whose `vpcId` is the VPC's (by ID when known, else through dependencies). */
function inVpc(resources: readonly PolicyResource[], types: Parameters<typeof ofType>[1][], vpc: { vpc: PolicyResource; id: string | undefined }): PolicyResource[] {
    return ofType(resources, ...types).filter((r) => {
        const vpcId = prop(r, (p) => p.vpcId as string | undefined);
        if (isKnown(vpcId) && vpc.id !== undefined) {
            return vpcId === vpc.id;
        }
        return dependsOn(r, vpc.vpc) || r.parent === vpc.vpc;
    });
}

/** @severity medium */
export const ec2VpcFlowLogs: StackValidationPolicy = {
    name: "ec2-vpc-flow-logs",
    description: "Checks whether every VPC of the stack records flow logs.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV2_AWS_11"], "Ensure VPC flow logging is enabled in all VPCs."),
    tags: ["audit", "network", "ec2"],
    remediationSteps: "Declare an aws.ec2.FlowLog for the VPC (trafficType ALL) to an encrypted log group with retention.",
    validateStack: (args, reportViolation) => {
        for (const vpc of vpcs(args.resources)) {
            if (inVpc(args.resources, [aws.ec2.FlowLog], vpc).length === 0) {
                reportViolation(`${label(vpc.vpc)} must record flow logs: declare an aws.ec2.FlowLog for it.`, vpc.vpc.urn);
            }
        }
    },
};

/** @severity high */
export const ec2DefaultSecurityGroupRestricted: StackValidationPolicy = {
    name: "ec2-default-security-group-restricted",
    description: "Checks whether the default security group of every VPC is managed by the stack and stripped of all rules, so nothing placed in it by default gets network access.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV2_AWS_12"], "Ensure the default security group of every VPC restricts all traffic."),
    tags: ["security", "network", "ec2"],
    remediationSteps: "Declare an aws.ec2.DefaultSecurityGroup for the VPC with ingress: [] and egress: [].",
    validateStack: (args, reportViolation) => {
        for (const vpc of vpcs(args.resources)) {
            const defaults = inVpc(args.resources, [aws.ec2.DefaultSecurityGroup], vpc);
            if (defaults.length === 0) {
                reportViolation(`${label(vpc.vpc)} must manage its default security group with no rules (an aws.ec2.DefaultSecurityGroup with ingress [] and egress []); none is declared.`, vpc.vpc.urn);
                continue;
            }
            for (const group of defaults) {
                const rules = prop(group, (p) => asList(p.ingress).length + asList(p.egress).length);
                if (isKnown(rules) && rules > 0) {
                    reportViolation(`${label(group)} must have no rules; it has ${rules}.`, group.urn);
                }
            }
        }
    },
};

/** @severity medium */
export const ec2SubnetNoPublicIpOnLaunch: ResourceValidationPolicy = {
    name: "ec2-subnet-no-public-ip-on-launch",
    description: "Checks whether subnets leave automatic public IP assignment off.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: checkov(["CKV_AWS_130"], "Ensure VPC subnets do not assign public IP by default."),
    tags: ["security", "network", "ec2"],
    remediationSteps: "Set mapPublicIpOnLaunch to false; give a resource a public address explicitly only where it needs one (NAT gateways use Elastic IPs).",
    validateResource: validateResourceOfType(aws.ec2.Subnet, (subnet, _args, reportViolation) => {
        if (subnet.mapPublicIpOnLaunch === true) {
            reportViolation("mapPublicIpOnLaunch must be false; found true, so every instance launched here gets a public IP.");
        }
    }),
};

/** Where each data-bearing resource type lists its subnets. */
const subnetPaths: Record<string, (props: Record<string, any>) => unknown> = {
    "aws:msk/cluster:Cluster": (p) => p.brokerNodeGroupInfo?.clientSubnets,
    "aws:redshift/subnetGroup:SubnetGroup": (p) => p.subnetIds,
    "aws:redshiftserverless/workgroup:Workgroup": (p) => p.subnetIds,
    "aws:emr/cluster:Cluster": (p) => [p.ec2Attributes?.subnetId, ...asList(p.ec2Attributes?.subnetIds)],
    "aws:emrserverless/application:Application": (p) => p.networkConfiguration?.subnetIds,
    "aws:batch/computeEnvironment:ComputeEnvironment": (p) => p.computeResources?.subnets,
    "aws:lambda/function:Function": (p) => p.vpcConfig?.subnetIds,
    "aws:rds/instance:Instance": (p) => p.dbSubnetGroupName,
};

const publicSubnetSchema = {
    properties: {
        dataStoreTypes: {
            type: "array" as const,
            items: { type: "string" as const, minLength: 1 },
            default: ["aws:msk/cluster:Cluster", "aws:redshift/subnetGroup:SubnetGroup", "aws:redshiftserverless/workgroup:Workgroup", "aws:emr/cluster:Cluster", "aws:emrserverless/application:Application", "aws:batch/computeEnvironment:ComputeEnvironment"],
            description: "Resource types that hold or process the platform's data and must stay in private subnets. Defaults to MSK, Redshift, EMR and Batch.",
        },
    },
};

/** Subnet IDs of the stack that route to the internet: awsx public subnets, subnets that map public IPs or route to an internet gateway. */
function publicSubnetIds(resources: readonly PolicyResource[]): Set<string> {
    const ids = new Set<string>();
    for (const vpc of ofType(resources, "awsx:ec2:Vpc")) {
        const list = prop(vpc, (p) => asList(p.publicSubnetIds as string[] | undefined));
        if (isKnown(list)) {
            list.filter((id) => typeof id === "string").forEach((id) => ids.add(id));
        }
    }
    const gatewayIds = new Set(
        ofType(resources, aws.ec2.InternetGateway)
            .map((g) => knownOr(prop(g, (p) => p.id as string | undefined)))
            .filter((id): id is string => typeof id === "string"),
    );
    const routesToInternet = (gatewayId: unknown) => typeof gatewayId === "string" && (gatewayIds.has(gatewayId) || gatewayId.startsWith("igw-"));
    const publicTables = new Set<string>();
    for (const table of ofType(resources, aws.ec2.RouteTable)) {
        const inline = prop(table, (p) => asList(p.routes).some((r: { gatewayId?: string; cidrBlock?: string }) => routesToInternet(r.gatewayId)));
        const id = knownOr(prop(table, (p) => p.id as string | undefined));
        if (isKnown(inline) && inline && id) {
            publicTables.add(id);
        }
    }
    for (const route of ofType(resources, aws.ec2.Route)) {
        const gateway = prop(route, (p) => p.gatewayId as string | undefined);
        const table = prop(route, (p) => p.routeTableId as string | undefined);
        if (isKnown(gateway) && routesToInternet(gateway) && isKnown(table) && table) {
            publicTables.add(table);
        }
    }
    for (const association of ofType(resources, aws.ec2.RouteTableAssociation)) {
        const table = prop(association, (p) => p.routeTableId as string | undefined);
        const subnet = prop(association, (p) => p.subnetId as string | undefined);
        if (isKnown(table) && table && publicTables.has(table) && isKnown(subnet) && subnet) {
            ids.add(subnet);
        }
    }
    for (const subnet of ofType(resources, aws.ec2.Subnet)) {
        const isPublic = prop(subnet, (p) => p.mapPublicIpOnLaunch === true || (isObject(p.tags) && p.tags.SubnetType === "Public"));
        const id = knownOr(prop(subnet, (p) => p.id as string | undefined));
        if (isKnown(isPublic) && isPublic && id) {
            ids.add(id);
        }
    }
    return ids;
}

/** @severity critical */
export const ec2SubnetNoPublicDataStores: StackValidationPolicy = {
    name: "ec2-subnet-no-public-data-stores",
    description: "Checks whether no data store or data-processing resource (MSK, Redshift, EMR, Batch) is placed in a public subnet, one that routes to an internet gateway.",
    enforcementLevel: "advisory",
    severity: "critical",
    tags: ["security", "network", "ec2"],
    remediationSteps: "Pass the VPC's private subnet IDs (network.privateSubnetIds) to the resource; public subnets hold NAT gateways only.",
    configSchema: publicSubnetSchema,
    validateStack: (args, reportViolation) => {
        const { dataStoreTypes } = policyConfig<{ dataStoreTypes: string[] }>(args, publicSubnetSchema);
        const publicIds = publicSubnetIds(args.resources);
        if (publicIds.size === 0) {
            return;
        }
        for (const resource of ofType(args.resources, ...dataStoreTypes)) {
            const read = subnetPaths[resource.type];
            if (!read) {
                continue;
            }
            const subnets = prop(resource, (p) => collectStrings(read(p)));
            if (!isKnown(subnets)) {
                continue;
            }
            const exposed = subnets.filter((s) => publicIds.has(s));
            if (exposed.length > 0) {
                reportViolation(`${label(resource)} is placed in public subnet${exposed.length > 1 ? "s" : ""} ${exposed.join(", ")}; data stores must use the private subnets only.`, resource.urn);
            }
        }
    },
};

export const ec2Policies = [
    ec2SecurityGroupDescriptions,
    ec2SecurityGroupNoPublicIngress,
    ec2SecurityGroupNoUnrestrictedEgress,
    ec2SecurityGroupAttached,
    ec2VpcFlowLogs,
    ec2DefaultSecurityGroupRestricted,
    ec2SubnetNoPublicIpOnLaunch,
    ec2SubnetNoPublicDataStores,
];
