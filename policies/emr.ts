import * as aws from "@pulumi/aws";
import { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { environmentOverrideProperty, environmentsProperty, policyConfig } from "./lib/config";
import { requireEnvironmentIn, resourceEnvironment } from "./lib/environment";
import { publicRanges } from "./lib/cidr";
import { checkov } from "./lib/metadata";
import { collectStrings, label, ofType, prop } from "./lib/stack";
import { asList, isKnown, isObject, parseJsonInput, probe, show } from "./lib/values";

/** @severity high */
export const emrClusterSecurityConfiguration: ResourceValidationPolicy = {
    name: "emr-cluster-security-configuration",
    description: "Checks whether EMR clusters run with a security configuration.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV2_AWS_55"], "Ensure AWS EMR cluster is configured with security configuration."),
    tags: ["security", "encryption", "emr"],
    remediationSteps: "Declare an aws.emr.SecurityConfiguration (at-rest and in-transit encryption) and set securityConfiguration to its name.",
    validateResource: validateResourceOfType(aws.emr.Cluster, (cluster, _args, reportViolation) => {
        const value = probe(() => cluster.securityConfiguration);
        if (isKnown(value) && !value) {
            reportViolation("securityConfiguration must name an EMR security configuration; none is set.");
        }
    }),
};

type EncryptionConfiguration = {
    EnableAtRestEncryption?: boolean;
    EnableInTransitEncryption?: boolean;
    AtRestEncryptionConfiguration?: {
        S3EncryptionConfiguration?: { EncryptionMode?: string; AwsKmsKey?: string };
        LocalDiskEncryptionConfiguration?: { EncryptionKeyProviderType?: string; AwsKmsKey?: string; EnableEbsEncryption?: boolean };
    };
    InTransitEncryptionConfiguration?: { TLSCertificateConfiguration?: { CertificateProviderType?: string } };
};

/** Runs `check` on the parsed EncryptionConfiguration of an EMR security configuration (skipped while unknown). */
function securityConfigurationValidation(check: (e: EncryptionConfiguration, report: (message: string) => void) => void) {
    return validateResourceOfType(aws.emr.SecurityConfiguration, (config, _args, reportViolation) => {
        const parsed = probe(() => parseJsonInput(config.configuration));
        if (!isKnown(parsed)) {
            return;
        }
        if (!parsed || "invalid" in parsed || !isObject(parsed.value)) {
            reportViolation(`configuration must be a JSON security configuration; it is ${parsed && "invalid" in parsed ? `not valid JSON (${parsed.invalid})` : "empty"}.`);
            return;
        }
        check((parsed.value.EncryptionConfiguration ?? {}) as EncryptionConfiguration, reportViolation);
    });
}

/** @severity high */
export const emrSecurityConfigurationS3Encryption: ResourceValidationPolicy = {
    name: "emr-security-configuration-s3-encryption",
    description: "Checks whether EMR security configurations encrypt the data EMRFS writes to S3 with KMS (SSE-KMS or CSE-KMS) and a named key.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_171"], "Ensure EMR Cluster security configuration encryption is using SSE-KMS."),
    tags: ["security", "encryption", "emr"],
    remediationSteps: "Set EnableAtRestEncryption true and AtRestEncryptionConfiguration.S3EncryptionConfiguration { EncryptionMode: SSE-KMS, AwsKmsKey: <lake key> }.",
    validateResource: securityConfigurationValidation((e, report) => {
        const s3 = e.AtRestEncryptionConfiguration?.S3EncryptionConfiguration;
        if (e.EnableAtRestEncryption !== true) {
            report(`EncryptionConfiguration.EnableAtRestEncryption must be true; found ${show(e.EnableAtRestEncryption)}.`);
        } else if (s3?.EncryptionMode !== "SSE-KMS" && s3?.EncryptionMode !== "CSE-KMS") {
            report(`S3EncryptionConfiguration.EncryptionMode must be SSE-KMS (or CSE-KMS); found ${show(s3?.EncryptionMode)}.`);
        } else if (!s3.AwsKmsKey) {
            report("S3EncryptionConfiguration.AwsKmsKey must name a customer-managed key; none is set.");
        }
    }),
};

/** @severity high */
export const emrSecurityConfigurationLocalDiskEncryption: ResourceValidationPolicy = {
    name: "emr-security-configuration-local-disk-encryption",
    description: "Checks whether EMR security configurations encrypt node local disks, including EBS volumes, with KMS.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_349", "CKV_AWS_350"], "Ensure EMR Cluster security configuration encrypts local disks; ensure it encrypts EBS disks."),
    tags: ["security", "encryption", "emr"],
    remediationSteps: "Set AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration { EncryptionKeyProviderType: AwsKms, AwsKmsKey: <key>, EnableEbsEncryption: true }.",
    validateResource: securityConfigurationValidation((e, report) => {
        const disk = e.AtRestEncryptionConfiguration?.LocalDiskEncryptionConfiguration;
        if (e.EnableAtRestEncryption !== true || !disk) {
            report("AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration must be set (with EnableAtRestEncryption true); local disks are unencrypted.");
            return;
        }
        if (disk.EnableEbsEncryption !== true) {
            report(`LocalDiskEncryptionConfiguration.EnableEbsEncryption must be true; found ${show(disk.EnableEbsEncryption)}.`);
        }
        if (disk.EncryptionKeyProviderType === "AwsKms" && !disk.AwsKmsKey) {
            report("LocalDiskEncryptionConfiguration.AwsKmsKey must name a key; none is set.");
        }
    }),
};

/** @severity high */
export const emrSecurityConfigurationInTransitEncryption: ResourceValidationPolicy = {
    name: "emr-security-configuration-in-transit-encryption",
    description: "Checks whether EMR security configurations encrypt traffic between nodes with TLS.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_351"], "Ensure EMR Cluster security configuration encrypts InTransit."),
    tags: ["security", "encryption", "emr"],
    remediationSteps: "Set EnableInTransitEncryption true with InTransitEncryptionConfiguration.TLSCertificateConfiguration (PEM certificates in S3 or a custom provider).",
    validateResource: securityConfigurationValidation((e, report) => {
        if (e.EnableInTransitEncryption !== true) {
            report(`EncryptionConfiguration.EnableInTransitEncryption must be true; found ${show(e.EnableInTransitEncryption)}.`);
        } else if (!e.InTransitEncryptionConfiguration?.TLSCertificateConfiguration) {
            report("InTransitEncryptionConfiguration.TLSCertificateConfiguration must provide the TLS certificates; none is set.");
        }
    }),
};

/** @severity critical */
export const emrBlockPublicAccess: ResourceValidationPolicy = {
    name: "emr-block-public-access",
    description: "Checks whether EMR block public access is on, allowing public inbound rules on no port (or only those listed in the pack config).",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV_AWS_390"], "Ensure AWS EMR block public access setting is enabled."),
    tags: ["security", "network", "emr"],
    remediationSteps: "Set blockPublicSecurityGroupRules to true and remove permittedPublicSecurityGroupRuleRanges.",
    validateResource: validateResourceOfType(aws.emr.BlockPublicAccessConfiguration, (config, _args, reportViolation) => {
        if (config.blockPublicSecurityGroupRules !== true) {
            reportViolation(`blockPublicSecurityGroupRules must be true; found ${show(config.blockPublicSecurityGroupRules)}.`);
        }
        const ranges = asList(config.permittedPublicSecurityGroupRuleRanges);
        if (ranges.length > 0) {
            reportViolation(`permittedPublicSecurityGroupRuleRanges must be empty; it allows public inbound on ${ranges.map((r) => `${r.minRange}-${r.maxRange ?? r.minRange}`).join(", ")}.`);
        }
    }),
};

/** Security groups of an EMR cluster: managed and additional, primary and core/task, service access. */
function clusterSecurityGroupIds(cluster: PolicyResource): string[] | "unknown" {
    const value = prop(cluster, (p) => {
        const a = p.ec2Attributes ?? {};
        return collectStrings([a.emrManagedMasterSecurityGroup, a.emrManagedSlaveSecurityGroup, a.serviceAccessSecurityGroup, a.additionalMasterSecurityGroups, a.additionalSlaveSecurityGroups]).flatMap((s) => s.split(","));
    });
    return isKnown(value) ? value.map((s) => s.trim()).filter(Boolean) : "unknown";
}

function opensToTheWorld(group: PolicyResource): boolean {
    const ingress = prop(group, (p) => asList(p.ingress) as { cidrBlocks?: string[]; ipv6CidrBlocks?: string[] }[]);
    return isKnown(ingress) && ingress.some((rule) => publicRanges([...asList(rule.cidrBlocks), ...asList(rule.ipv6CidrBlocks)].map(String)).length > 0);
}

/** @severity critical */
export const emrClusterSecurityGroupsNotPublic: StackValidationPolicy = {
    name: "emr-cluster-security-groups-not-public",
    description: "Checks whether the security groups attached to EMR clusters admit no inbound traffic from public internet addresses (any range that overlaps them).",
    enforcementLevel: "advisory",
    severity: "critical",
    framework: checkov(["CKV2_AWS_7"], "Ensure that Amazon EMR clusters' security groups are not open to the world."),
    tags: ["security", "network", "emr"],
    remediationSteps: "Remove 0.0.0.0/0 and ::/0 ingress from the cluster's security groups; reach the primary node through Session Manager or a VPN.",
    validateStack: (args, reportViolation) => {
        const groups = ofType(args.resources, aws.ec2.SecurityGroup);
        const rules = [...ofType(args.resources, aws.vpc.SecurityGroupIngressRule), ...ofType(args.resources, aws.ec2.SecurityGroupRule)];
        for (const cluster of ofType(args.resources, aws.emr.Cluster)) {
            const ids = clusterSecurityGroupIds(cluster);
            const attached =
                ids === "unknown"
                    ? groups.filter((g) => cluster.dependencies.includes(g))
                    : groups.filter((g) => {
                          const id = prop(g, (p) => p.id as string | undefined);
                          return isKnown(id) && typeof id === "string" && ids.includes(id);
                      });
            for (const group of attached) {
                const standalone = rules.filter((r) => {
                    const target = prop(r, (p) => p.securityGroupId as string | undefined);
                    const id = prop(group, (p) => p.id as string | undefined);
                    const open = prop(
                        r,
                        (p) =>
                            publicRanges([p.cidrIpv4, p.cidrIpv6].filter((c): c is string => typeof c === "string" && c !== "")).length > 0 ||
                            (p.type === "ingress" && publicRanges([...asList(p.cidrBlocks), ...asList(p.ipv6CidrBlocks)].map(String)).length > 0),
                    );
                    return isKnown(target) && isKnown(id) && target === id && isKnown(open) && open;
                });
                if (opensToTheWorld(group) || standalone.length > 0) {
                    reportViolation(`${label(group)} is attached to EMR ${label(cluster)} and admits inbound traffic from the internet; remove the ingress from public address ranges.`, group.urn);
                }
            }
        }
    },
};

/** @severity high */
export const emrClusterKerberosRealm: ResourceValidationPolicy = {
    name: "emr-cluster-kerberos-realm",
    description: "Checks whether EMR clusters that use Kerberos set the Kerberos realm.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: checkov(["CKV_AWS_114"], "Ensure that EMR clusters with Kerberos have Kerberos Realm set."),
    tags: ["security", "emr"],
    remediationSteps: "Set kerberosAttributes.realm (e.g. EC2.INTERNAL) or remove kerberosAttributes.",
    validateResource: validateResourceOfType(aws.emr.Cluster, (cluster, args, reportViolation) => {
        if (!cluster.kerberosAttributes) {
            return args.notApplicable("the cluster does not use Kerberos");
        }
        if (!cluster.kerberosAttributes.realm) {
            reportViolation("kerberosAttributes.realm must be set when the cluster uses Kerberos; none is set.");
        }
    }),
};

const idleSchema = {
    properties: {
        maximumIdleMinutes: { type: "integer" as const, minimum: 1, maximum: 10080, default: 120, description: "Longest idle time before an EMR cluster terminates or a serverless application stops, in minutes. Defaults to 120." },
    },
};

/** @severity medium */
export const emrClusterAutoTermination: ResourceValidationPolicy = {
    name: "emr-cluster-auto-termination",
    description: "Checks whether EMR clusters terminate themselves after an idle period, and EMR Serverless applications stop when idle, so idle capacity does not bill.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["cost", "emr"],
    remediationSteps: "Set autoTerminationPolicy.idleTimeout (seconds) on clusters, autoStopConfiguration { enabled: true, idleTimeoutMinutes } on serverless applications (platform:emrIdleTimeoutMinutes).",
    configSchema: idleSchema,
    validateResource: [
        validateResourceOfType(aws.emr.Cluster, (cluster, args, reportViolation) => {
            const { maximumIdleMinutes } = policyConfig<{ maximumIdleMinutes: number }>(args, idleSchema);
            const seconds = cluster.autoTerminationPolicy?.idleTimeout;
            if (seconds === undefined) {
                reportViolation(`autoTerminationPolicy.idleTimeout must be set (at most ${maximumIdleMinutes * 60} seconds); none is set, so an idle cluster runs until someone stops it.`);
            } else if (seconds > maximumIdleMinutes * 60) {
                reportViolation(`autoTerminationPolicy.idleTimeout must be at most ${maximumIdleMinutes * 60} seconds; found ${seconds}.`);
            }
        }),
        validateResourceOfType(aws.emrserverless.Application, (application, args, reportViolation) => {
            const { maximumIdleMinutes } = policyConfig<{ maximumIdleMinutes: number }>(args, idleSchema);
            const stop = application.autoStopConfiguration;
            if (stop?.enabled === false) {
                reportViolation("autoStopConfiguration.enabled must be true; found false.");
            } else if ((stop?.idleTimeoutMinutes ?? 15) > maximumIdleMinutes) {
                reportViolation(`autoStopConfiguration.idleTimeoutMinutes must be at most ${maximumIdleMinutes}; found ${stop?.idleTimeoutMinutes}.`);
            }
        }),
    ],
};

const spotSchema = {
    properties: {
        environments: environmentsProperty(["dev"], "task capacity must be Spot"),
        environment: environmentOverrideProperty,
    },
};

function spotEnvironment(args: ResourceValidationArgs): string {
    const config = policyConfig<{ environments: string[]; environment?: string }>(args, spotSchema);
    return requireEnvironmentIn(args, resourceEnvironment(args, config.environment), config.environments);
}

/** @severity low */
export const emrTaskCapacitySpot: ResourceValidationPolicy = {
    name: "emr-task-capacity-spot",
    description: "Checks whether EMR task capacity runs on Spot outside prod: task fleets and groups buy Spot, and managed scaling keeps on-demand capacity to the core nodes.",
    enforcementLevel: "advisory",
    severity: "low",
    tags: ["cost", "emr"],
    remediationSteps: "Give task fleets targetSpotCapacity only (targetOnDemandCapacity 0), task instance groups a bidPrice, and set the managed scaling policy's maximumOndemandCapacityUnits to the primary plus core capacity.",
    configSchema: spotSchema,
    validateResource: [
        validateResourceOfType(aws.emr.InstanceFleet, (fleet, args, reportViolation) => {
            const environment = spotEnvironment(args);
            if ((fleet.targetOnDemandCapacity ?? 0) > 0) {
                reportViolation(`The task fleet must buy Spot capacity only in ${environment}; targetOnDemandCapacity is ${fleet.targetOnDemandCapacity}.`);
            }
        }),
        validateResourceOfType(aws.emr.InstanceGroup, (group, args, reportViolation) => {
            const environment = spotEnvironment(args);
            if (!group.bidPrice) {
                reportViolation(`The task instance group must use Spot in ${environment}: set bidPrice; none is set.`);
            }
        }),
        validateResourceOfType(aws.emr.ManagedScalingPolicy, (policy, args, reportViolation) => {
            const environment = spotEnvironment(args);
            for (const limit of asList(policy.computeLimits)) {
                const core = limit.maximumCoreCapacityUnits;
                const onDemand = limit.maximumOndemandCapacityUnits;
                if (onDemand === undefined || (core !== undefined && onDemand > core + 1) || (core === undefined && onDemand >= limit.maximumCapacityUnits)) {
                    reportViolation(
                        `maximumOndemandCapacityUnits must stop at the primary and core capacity so scaled-out task capacity is Spot in ${environment}; found ${show(onDemand)} with maximumCoreCapacityUnits ${show(core)} and maximumCapacityUnits ${limit.maximumCapacityUnits}.`,
                    );
                }
            }
        }),
    ],
};

const releaseSchema = {
    properties: {
        allowedReleasePattern: { type: "string" as const, minLength: 1, default: "^emr-7\\.\\d+\\.\\d+$", description: "Release labels allowed (a regular expression). Defaults to EMR 7.x." },
        minimumRelease: { type: "string" as const, pattern: "^emr-\\d+\\.\\d+\\.\\d+$", default: "emr-7.1.0", description: "Oldest release allowed. Defaults to emr-7.1.0." },
    },
};

function releaseVersion(label: string): number[] {
    return label.replace(/^emr-/, "").split(".").map((n) => Number(n));
}

function olderThan(a: number[], b: number[]): boolean {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if ((a[i] ?? 0) !== (b[i] ?? 0)) {
            return (a[i] ?? 0) < (b[i] ?? 0);
        }
    }
    return false;
}

function checkRelease(releaseLabel: string, args: ResourceValidationArgs, reportViolation: (message: string) => void): void {
    const config = policyConfig<{ allowedReleasePattern: string; minimumRelease: string }>(args, releaseSchema);
    if (!new RegExp(config.allowedReleasePattern).test(releaseLabel)) {
        reportViolation(`releaseLabel must match ${config.allowedReleasePattern}; found ${show(releaseLabel)}.`);
    } else if (olderThan(releaseVersion(releaseLabel), releaseVersion(config.minimumRelease))) {
        reportViolation(`releaseLabel must be ${config.minimumRelease} or newer; found ${show(releaseLabel)}.`);
    }
}

/** @severity medium */
export const emrReleaseLabelSupported: ResourceValidationPolicy = {
    name: "emr-release-label-supported",
    description: "Checks whether EMR clusters and EMR Serverless applications use a supported release label (EMR 7.x, no older than the configured minimum).",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["security", "reliability", "emr"],
    remediationSteps: "Set releaseLabel (platform:emrReleaseLabel) to a current EMR 7 release.",
    configSchema: releaseSchema,
    validateResource: [
        validateResourceOfType(aws.emr.Cluster, (cluster, args, reportViolation) => checkRelease(cluster.releaseLabel, args, reportViolation)),
        validateResourceOfType(aws.emrserverless.Application, (application, args, reportViolation) => checkRelease(application.releaseLabel, args, reportViolation)),
    ],
};

/**
 * Without a network configuration an EMR Serverless application runs outside the VPC, with
 * internet access and no security group: the job reaches the lake over the public endpoints and
 * nothing filters its egress. Judged on the application itself, not inferred from a security
 * group that happens to be unused.
 *
 * @severity high
 */
export const emrServerlessApplicationNetworkConfiguration: ResourceValidationPolicy = {
    name: "emr-serverless-application-network-configuration",
    description: "Checks whether EMR Serverless applications run inside the VPC: networkConfiguration names at least one subnet and one security group.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["security", "network", "emr"],
    remediationSteps: "Set networkConfiguration { subnetIds: <the private subnets>, securityGroupIds: [<a security group with egress to the VPC endpoints only>] } on the aws.emrserverless.Application.",
    validateResource: validateResourceOfType(aws.emrserverless.Application, (application, _args, reportViolation) => {
        const network = probe(() => application.networkConfiguration);
        if (!isKnown(network)) {
            return;
        }
        if (!network) {
            reportViolation("networkConfiguration must name the private subnets and a security group; none is set, so jobs run outside the VPC with open internet egress.");
            return;
        }
        for (const field of ["subnetIds", "securityGroupIds"] as const) {
            // Only the count is read: the ids themselves are unknown until the subnets and groups exist.
            const count = probe(() => asList(network[field]).length);
            if (isKnown(count) && count === 0) {
                reportViolation(`networkConfiguration.${field} must list at least one ${field === "subnetIds" ? "private subnet" : "security group"}; found none.`);
            }
        }
    }),
};

export const emrPolicies = [
    emrClusterSecurityConfiguration,
    emrSecurityConfigurationS3Encryption,
    emrSecurityConfigurationLocalDiskEncryption,
    emrSecurityConfigurationInTransitEncryption,
    emrBlockPublicAccess,
    emrClusterSecurityGroupsNotPublic,
    emrClusterKerberosRealm,
    emrClusterAutoTermination,
    emrTaskCapacitySpot,
    emrReleaseLabelSupported,
    emrServerlessApplicationNetworkConfiguration,
];
