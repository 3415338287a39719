import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { capacityLimits, emrInstanceTypes, environments, mskInstanceTypes, redshiftNodeTypes } from "../infra/config/catalog";
import { environmentOverrideProperty, policyConfig } from "./lib/config";
import { stackEnvironment } from "./lib/environment";
import { label, prop } from "./lib/stack";
import { asList, isKnown, show } from "./lib/values";

/**
 * Cost guardrails at stack level: which instance and node types each environment may run, and
 * how much capacity. The allowed lists and limits default to the platform's catalogue
 * (infra/config/catalog.ts), the same one the stack config validator enforces, so the program
 * and the pack cannot disagree; a stack's pack config may narrow them.
 */

type Catalogue = Record<string, Record<string, string[]>>;

const defaultAllowedTypes: Catalogue = {
    msk: Object.fromEntries(environments.map((e) => [e, [...mskInstanceTypes.allowed[e]]])),
    redshift: Object.fromEntries(environments.map((e) => [e, [...redshiftNodeTypes.allowed[e]]])),
    emr: Object.fromEntries(environments.map((e) => [e, [...emrInstanceTypes.allowed[e]]])),
};

const typesSchema = {
    properties: {
        allowedTypes: {
            type: "object" as const,
            properties: Object.fromEntries(
                ["msk", "redshift", "emr"].map((service) => [service, { type: "object" as const, additionalProperties: { type: "array" as const, items: { type: "string" as const, minLength: 1 } } }]),
            ),
            additionalProperties: false,
            default: defaultAllowedTypes,
            description: "Allowed types per service (msk, redshift, emr) and environment. Defaults to the platform catalogue (infra/config/catalog.ts).",
        },
        environment: environmentOverrideProperty,
    },
};

/** The instance and node types a resource runs, per catalogue service. */
function typesOf(resource: PolicyResource): { service: "msk" | "redshift" | "emr"; types: string[] } | undefined | "unknown" {
    const read = (fn: (p: Record<string, any>) => unknown[]) => {
        const value = prop(resource, fn);
        return isKnown(value) ? value.filter((t): t is string => typeof t === "string") : "unknown";
    };
    let types: string[] | "unknown";
    let service: "msk" | "redshift" | "emr";
    switch (resource.type) {
        case "aws:msk/cluster:Cluster":
            service = "msk";
            types = read((p) => [p.brokerNodeGroupInfo?.instanceType]);
            break;
        case "aws:redshift/cluster:Cluster":
            service = "redshift";
            types = read((p) => [p.nodeType]);
            break;
        case "aws:emr/cluster:Cluster":
            service = "emr";
            types = read((p) => [
                p.masterInstanceGroup?.instanceType,
                p.coreInstanceGroup?.instanceType,
                ...asList(p.masterInstanceFleet?.instanceTypeConfigs).map((c: { instanceType?: string }) => c.instanceType),
                ...asList(p.coreInstanceFleet?.instanceTypeConfigs).map((c: { instanceType?: string }) => c.instanceType),
            ]);
            break;
        case "aws:emr/instanceFleet:InstanceFleet":
            service = "emr";
            types = read((p) => asList(p.instanceTypeConfigs).map((c: { instanceType?: string }) => c.instanceType));
            break;
        case "aws:emr/instanceGroup:InstanceGroup":
            service = "emr";
            types = read((p) => [p.instanceType]);
            break;
        default:
            return undefined;
    }
    return types === "unknown" ? "unknown" : { service, types };
}

function requireStackEnvironment(args: { notApplicable(reason?: string): never }, environment: string | undefined): string {
    if (environment === undefined) {
        args.notApplicable('the environment is unknown: tag resources with "environment" (the platform sets it in the AWS provider\'s defaultTags) or set the policy\'s "environment" config');
    }
    return environment;
}

/** @severity medium */
export const costStackAllowedInstanceTypes: StackValidationPolicy = {
    name: "cost-stack-allowed-instance-types",
    description: "Checks whether every MSK broker, Redshift node and EMR instance type in the stack is one its environment allows.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["cost"],
    remediationSteps: "Pick a type from the environment's list in infra/config/catalog.ts (platform:mskInstanceType, platform:warehouseNodeType, platform:emrInstanceType), or extend the list there with a reviewed reason.",
    configSchema: typesSchema,
    validateStack: (args, reportViolation) => {
        const config = policyConfig<{ allowedTypes: Catalogue; environment?: string }>(args, typesSchema);
        const environment = requireStackEnvironment(args, stackEnvironment(args, config.environment));
        for (const resource of args.resources) {
            const found = typesOf(resource);
            if (found === undefined || found === "unknown") {
                continue;
            }
            const allowed = config.allowedTypes[found.service]?.[environment];
            if (!allowed) {
                reportViolation(`${label(resource)}: no ${found.service} types are allowed in ${environment}; list them in the policy's allowedTypes.${found.service}.${environment}.`, resource.urn);
                continue;
            }
            const refused = [...new Set(found.types.filter((t) => !allowed.includes(t)))];
            if (refused.length > 0) {
                reportViolation(`${label(resource)} uses ${refused.join(", ")}, not allowed in ${environment}; allowed: ${allowed.join(", ")}.`, resource.urn);
            }
        }
    },
};

type Limits = Record<string, Record<string, number>>;

const defaultLimits: Limits = Object.fromEntries(environments.map((e) => [e, { ...capacityLimits[e] }]));

const limitsSchema = {
    properties: {
        limits: {
            type: "object" as const,
            additionalProperties: {
                type: "object" as const,
                properties: Object.fromEntries(Object.keys(capacityLimits.dev).map((k) => [k, { type: "integer" as const, minimum: 0 }])),
                additionalProperties: false,
            },
            default: defaultLimits,
            description: "Capacity limits per environment: mskBrokers, warehouseNodes, warehouseMaxRpu, sparkMaxVcpu, batchMaxVcpus, emrMaxTaskNodes (kinesisShards is enforced by kinesis-stream-capacity). Defaults to the platform catalogue (infra/config/catalog.ts).",
        },
        environment: environmentOverrideProperty,
    },
};

/** "16 vCPU" → 16. */
function vcpus(value: unknown): number | undefined {
    const match = typeof value === "string" ? /^\s*(\d+(?:\.\d+)?)\s*vcpu\s*$/i.exec(value) : undefined;
    return match ? Number(match[1]) : typeof value === "number" ? value : undefined;
}

/** The capacity each resource claims against a limit: [limit key, amount, what]. */
function capacityOf(resource: PolicyResource): [string, number, string][] {
    const read = <T>(fn: (p: Record<string, any>) => T) => {
        const value = prop(resource, fn);
        return isKnown(value) ? value : undefined;
    };
    switch (resource.type) {
        case "aws:msk/cluster:Cluster":
            return [["mskBrokers", read((p) => p.numberOfBrokerNodes as number), "numberOfBrokerNodes"]].filter((c): c is [string, number, string] => typeof c[1] === "number");
        case "aws:redshift/cluster:Cluster":
            return [["warehouseNodes", read((p) => (p.numberOfNodes as number | undefined) ?? 1), "numberOfNodes"]].filter((c): c is [string, number, string] => typeof c[1] === "number");
        case "aws:redshiftserverless/workgroup:Workgroup":
            return [
                ["warehouseMaxRpu", read((p) => p.maxCapacity as number | undefined), "maxCapacity (RPU)"],
                ["warehouseMaxRpu", read((p) => p.baseCapacity as number | undefined), "baseCapacity (RPU)"],
            ].filter((c): c is [string, number, string] => typeof c[1] === "number");
        case "aws:emrserverless/application:Application":
            return [["sparkMaxVcpu", read((p) => vcpus(p.maximumCapacity?.cpu)), "maximumCapacity.cpu (vCPU)"]].filter((c): c is [string, number, string] => typeof c[1] === "number");
        case "aws:batch/computeEnvironment:ComputeEnvironment":
            return [["batchMaxVcpus", read((p) => p.computeResources?.maxVcpus as number | undefined), "computeResources.maxVcpus"]].filter((c): c is [string, number, string] => typeof c[1] === "number");
        case "aws:emr/instanceFleet:InstanceFleet":
            return [["emrMaxTaskNodes", read((p) => ((p.targetOnDemandCapacity as number | undefined) ?? 0) + ((p.targetSpotCapacity as number | undefined) ?? 0)), "target task capacity"]].filter(
                (c): c is [string, number, string] => typeof c[1] === "number",
            );
        case "aws:emr/instanceGroup:InstanceGroup":
            return [["emrMaxTaskNodes", read((p) => (p.instanceCount as number | undefined) ?? 1), "instanceCount"]].filter((c): c is [string, number, string] => typeof c[1] === "number");
        case "aws:emr/managedScalingPolicy:ManagedScalingPolicy": {
            const limits = read((p) => asList(p.computeLimits) as { maximumCapacityUnits: number; maximumCoreCapacityUnits?: number; unitType?: string }[]) ?? [];
            // Capacity above the primary node and the core nodes is task capacity.
            return limits
                .filter((l) => l.unitType !== "VCPU")
                .map((l): [string, number, string] => ["emrMaxTaskNodes", l.maximumCapacityUnits - (l.maximumCoreCapacityUnits ?? 0) - 1, "task capacity the scaling policy may add"]);
        }
        default:
            return [];
    }
}

/** @severity medium */
export const costStackCapacityLimits: StackValidationPolicy = {
    name: "cost-stack-capacity-limits",
    description: "Checks whether the stack's capacity (MSK brokers, Redshift nodes and RPUs, EMR Serverless vCPUs, Batch vCPUs, EMR task nodes) stays within its environment's limits.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["cost"],
    remediationSteps: "Lower the setting in the stack config (the message names it), or raise the environment's limit in infra/config/catalog.ts after a cost review.",
    configSchema: limitsSchema,
    validateStack: (args, reportViolation) => {
        const config = policyConfig<{ limits: Limits; environment?: string }>(args, limitsSchema);
        const environment = requireStackEnvironment(args, stackEnvironment(args, config.environment));
        const limits = config.limits[environment];
        if (!limits) {
            return args.notApplicable(`no capacity limits are configured for ${environment}`);
        }
        for (const resource of args.resources) {
            for (const [key, amount, what] of capacityOf(resource)) {
                const limit = limits[key];
                if (limit !== undefined && amount > limit) {
                    reportViolation(`${label(resource)}: ${what} must be at most ${limit} in ${environment} (${key}); found ${show(amount)}.`, resource.urn);
                }
            }
        }
    },
};

export const costPolicies = [costStackAllowedInstanceTypes, costStackCapacityLimits];
