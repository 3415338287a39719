import { OfflineRun, RecordedResource } from "./program";
import { maskSecrets, summarizeArchives } from "./plan-format";

/**
 * Exports what a stack declares as a Terraform plan JSON document (the `terraform show -json`
 * shape), so Terraform scanners (Checkov, Trivy, KICS) can judge a Pulumi program. Pulumi's AWS
 * provider is bridged from Terraform's, so its types and properties map back mechanically:
 * `aws:<module>/<camelName>:<Name>` becomes `aws_<module>_<snake_name>`, camelCase properties
 * become snake_case, lists of blocks lose the plural Pulumi gave them, and nested objects become
 * one-element lists (Terraform's nested blocks). References between resources are kept in
 * `configuration` so graph checks can connect, e.g., a bucket to its encryption configuration.
 */

export interface TerraformResource {
    readonly address: string;
    readonly mode: "managed";
    readonly type: string;
    readonly name: string;
    readonly provider_name: string;
    readonly schema_version: number;
    readonly values: Record<string, unknown>;
}

export interface TerraformPlan {
    readonly format_version: string;
    readonly terraform_version: string;
    readonly planned_values: { readonly root_module: { readonly resources: TerraformResource[] } };
    readonly resource_changes: {
        address: string;
        mode: "managed";
        type: string;
        name: string;
        provider_name: string;
        change: { actions: ["create"]; before: null; after: Record<string, unknown>; after_unknown: Record<string, never> };
    }[];
    readonly configuration: {
        readonly provider_config: Record<string, { name: string; full_name: string }>;
        readonly root_module: {
            readonly resources: { address: string; mode: "managed"; type: string; name: string; provider_config_key: string; expressions: Record<string, unknown>; schema_version: number }[];
        };
    };
}

const providerName = "registry.terraform.io/hashicorp/aws";

/**
 * Types whose Terraform name the mechanical rule does not give: renamed resources (Pulumi kept
 * the old class name, Terraform moved on) and EC2 types that Terraform names without "ec2_".
 */
const typeExceptions: Readonly<Record<string, string>> = {
    "aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
    "aws:s3/bucketObject:BucketObject": "aws_s3_bucket_object",
    "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
    "aws:ec2/transitGateway:TransitGateway": "aws_ec2_transit_gateway",
    "aws:ec2/instanceConnectEndpoint:InstanceConnectEndpoint": "aws_ec2_instance_connect_endpoint",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:cloudtrail/trail:Trail": "aws_cloudtrail",
};

/** camelCase (or PascalCase) to snake_case: `sseAwsKmsKeyId` -> `sse_aws_kms_key_id`, `bucketV2` -> `bucket_v2`. */
export function snakeCase(name: string): string {
    return name
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
        .toLowerCase();
}

/**
 * The Terraform type of a Pulumi AWS type token, or undefined for what has none (components,
 * providers, other packages). S3's `...V2` classes are the current Terraform types without it.
 */
export function terraformType(token: string): string | undefined {
    if (typeExceptions[token]) {
        return typeExceptions[token];
    }
    const match = /^aws:([a-z0-9]+)\/([a-zA-Z0-9]+):([A-Za-z0-9]+)$/.exec(token);
    if (!match) {
        return undefined;
    }
    const [, module, camel] = match;
    const resource = snakeCase(module === "s3" ? camel.replace(/V2$/, "") : camel);
    // Terraform names the EC2 service's resources without a prefix (aws_security_group, aws_subnet).
    return module === "ec2" ? `aws_${resource}` : `aws_${module}_${resource}`;
}

/** Attributes whose object value is a map of the user's keys (Terraform `map`), not a nested block. */
const mapAttributes = new Set([
    "tags",
    "tags_all",
    "variables",
    "parameters",
    "dimensions",
    "default_arguments",
    "environment_variables",
    "spark_submit_parameters_map",
    "properties",
    "configuration_properties",
    "input_transformer_paths",
    "input_paths",
]);

/** Lists of blocks that Terraform itself names in the plural (Pulumi kept the name). */
const pluralBlocks = new Set(["columns", "partition_keys", "sort_columns", "permissions", "statements", "capacity_providers"]);

/** Pulumi pluralizes repeated blocks (`rules` for Terraform's `rule`): back to the block's name. */
export function blockName(key: string): string {
    if (pluralBlocks.has(key)) {
        return key;
    }
    if (key.endsWith("ies")) {
        return `${key.slice(0, -3)}y`;
    }
    if (key.endsWith("sses") || key.endsWith("xes")) {
        return key.slice(0, -2);
    }
    if (key.endsWith("s") && !key.endsWith("ss") && !key.endsWith("us")) {
        return key.slice(0, -1);
    }
    return key;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Converts Pulumi input values to Terraform attribute values (see the module comment). */
export function terraformValues(inputs: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(inputs)) {
        if (value === undefined) {
            continue;
        }
        const name = snakeCase(key);
        if (mapAttributes.has(name) && isPlainObject(value)) {
            out[name] = value;
        } else if (isPlainObject(value)) {
            out[name] = [terraformValues(value)];
        } else if (Array.isArray(value) && value.length > 0 && value.every(isPlainObject)) {
            out[blockName(name)] = value.map((v) => terraformValues(v as Record<string, unknown>));
        } else {
            out[name] = value;
        }
    }
    return out;
}

/** A Terraform resource name from a Pulumi name (letters, digits, `_` and `-`; not starting with a digit). */
export function terraformName(name: string): string {
    const cleaned = name.replace(/[^A-Za-z0-9_-]/g, "_");
    return /^[A-Za-z_]/.test(cleaned) ? cleaned : `r_${cleaned}`;
}

/** Output properties another resource refers to a resource by, with the Terraform attribute that holds it. */
const identifying = ["arn", "id", "bucket", "name", "keyId", "url"] as const;

function collectStrings(value: unknown, into: Set<string>): void {
    if (typeof value === "string") {
        into.add(value);
    } else if (Array.isArray(value)) {
        value.forEach((v) => collectStrings(v, into));
    } else if (isPlainObject(value)) {
        Object.values(value).forEach((v) => collectStrings(v, into));
    }
}

/**
 * The configuration expressions of converted values, in Terraform's shape: an attribute whose
 * value holds another resource's identifier gets `references` (`aws_kms_key.lake.arn` and
 * `aws_kms_key.lake`), any other a `constant_value`; nested blocks are lists of expression
 * objects, so graph checks see, e.g., a security group referenced from a function's vpc_config.
 */
function expressionsFor(values: Record<string, unknown>, byIdentifier: Map<string, string[]>, self: string): Record<string, unknown> {
    const expressions: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
        if (Array.isArray(value) && value.length > 0 && value.every(isPlainObject) && !mapAttributes.has(key)) {
            expressions[key] = value.map((v) => expressionsFor(v as Record<string, unknown>, byIdentifier, self));
            continue;
        }
        const strings = new Set<string>();
        collectStrings(value, strings);
        const references = new Set<string>();
        for (const s of strings) {
            for (const candidate of [s, s.replace(/\/\*$|:\*$/, "")]) {
                for (const ref of byIdentifier.get(candidate) ?? []) {
                    if (!ref.startsWith(`${self}.`)) {
                        references.add(ref);
                        references.add(ref.split(".").slice(0, 2).join("."));
                    }
                }
            }
        }
        expressions[key] = references.size > 0 ? { references: [...references].sort() } : { constant_value: value };
    }
    return expressions;
}

/** The Terraform plan document of an offline run: every AWS resource the stack declares, to be created. */
export function terraformPlan(run: OfflineRun): TerraformPlan {
    const converted: { resource: RecordedResource; type: string; name: string; address: string; values: Record<string, unknown> }[] = [];
    const taken = new Set<string>();
    for (const r of run.resources) {
        const type = r.custom ? terraformType(r.type) : undefined;
        if (!type) {
            continue;
        }
        let name = terraformName(r.name);
        for (let i = 2; taken.has(`${type}.${name}`); i++) {
            name = `${terraformName(r.name)}_${i}`;
        }
        taken.add(`${type}.${name}`);
        converted.push({ resource: r, type, name, address: `${type}.${name}`, values: terraformValues(summarizeArchives(maskSecrets(r.inputs, r.secretPaths))) });
    }
    const byIdentifier = new Map<string, string[]>();
    for (const c of converted) {
        for (const key of identifying) {
            const value = key === "id" ? c.resource.id : (c.resource.state[key] ?? c.resource.inputs[key]);
            if (typeof value === "string" && value.length >= 3) {
                byIdentifier.set(value, [...(byIdentifier.get(value) ?? []), `${c.address}.${snakeCase(key)}`]);
            }
        }
    }
    return {
        format_version: "1.2",
        terraform_version: "1.9.0",
        planned_values: {
            root_module: {
                resources: converted.map((c) => ({ address: c.address, mode: "managed", type: c.type, name: c.name, provider_name: providerName, schema_version: 0, values: c.values })),
            },
        },
        resource_changes: converted.map((c) => ({
            address: c.address,
            mode: "managed",
            type: c.type,
            name: c.name,
            provider_name: providerName,
            change: { actions: ["create"], before: null, after: c.values, after_unknown: {} },
        })),
        configuration: {
            provider_config: { aws: { name: "aws", full_name: providerName } },
            root_module: {
                resources: converted.map((c) => ({
                    address: c.address,
                    mode: "managed",
                    type: c.type,
                    name: c.name,
                    provider_config_key: "aws",
                    expressions: expressionsFor(c.values, byIdentifier, c.address),
                    schema_version: 0,
                })),
            },
        },
    };
}

/** The Pulumi URN of each exported address, so a scanner's finding can be traced back to the program. */
export function addressToUrn(run: OfflineRun): Map<string, string> {
    const plan = terraformPlan(run);
    const custom = run.resources.filter((r) => r.custom && terraformType(r.type));
    return new Map(plan.planned_values.root_module.resources.map((r, i) => [r.address, custom[i].urn]));
}
