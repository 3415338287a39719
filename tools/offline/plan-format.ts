import { createHash } from "crypto";
import { OfflineRun, RecordedResource } from "./program";

/** The `--json` document of `npm run plan`: what other tools (policy, cost) read. */
export interface PlanDocument {
    readonly stack: string;
    readonly resources: { urn: string; type: string; name: string; parent?: string; inputs: Record<string, unknown>; protect: boolean }[];
    readonly counts: Record<string, number>;
}

export function planDocument(run: OfflineRun): PlanDocument {
    const counts: Record<string, number> = {};
    for (const r of run.resources) {
        counts[r.type] = (counts[r.type] ?? 0) + 1;
    }
    return {
        stack: run.stack,
        resources: run.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, ...(r.parent ? { parent: r.parent } : {}), inputs: summarizeArchives(maskSecrets(r.inputs, r.secretPaths)), protect: r.protect })),
        counts: Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b))),
    };
}

/**
 * Code archives (a CallbackFunction's serialized closure and bundled packages) appear in the plan
 * document by size and digest, not by content: the text is for the deployment, not for review.
 */
export function summarizeArchives(inputs: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(inputs)) {
        const archive = (value as { archive?: Record<string, { text?: string; path?: string }> } | null)?.archive;
        if (archive && typeof archive === "object") {
            out[key] = {
                archive: Object.fromEntries(
                    Object.entries(archive).map(([name, asset]) =>
                        asset.text !== undefined ? [name, { bytes: Buffer.byteLength(asset.text), sha256: createHash("sha256").update(asset.text).digest("hex") }] : [name, { path: asset.path }],
                    ),
                ),
            };
        } else {
            out[key] = value;
        }
    }
    return out;
}

/** Replaces the values at secret paths by "[secret]", as `pulumi preview --json` shows them. */
export function maskSecrets(inputs: Record<string, unknown>, secretPaths: readonly string[]): Record<string, unknown> {
    if (secretPaths.length === 0) {
        return inputs;
    }
    const copy = JSON.parse(JSON.stringify(inputs)) as Record<string, unknown>;
    for (const path of secretPaths) {
        const parts = path.split(".");
        let node: any = copy;
        for (const part of parts.slice(0, -1)) {
            node = node?.[part];
        }
        if (node && typeof node === "object") {
            node[parts[parts.length - 1]] = "[secret]";
        }
    }
    return copy;
}

/** Settings worth seeing in the tree, per resource type: a few inputs that say what the resource is. */
const keySettings: Record<string, readonly string[]> = {
    "awsx:ec2:Vpc": ["cidrBlock", "numberOfAvailabilityZones", "natGateways.strategy"],
    "aws:kms/key:Key": ["enableKeyRotation", "description"],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ["rules.0.applyServerSideEncryptionByDefault.sseAlgorithm"],
    "aws:kinesis/stream:Stream": ["name", "streamModeDetails.streamMode", "shardCount", "retentionPeriod", "encryptionType"],
    "aws:msk/cluster:Cluster": ["kafkaVersion", "numberOfBrokerNodes", "brokerNodeGroupInfo.instanceType", "encryptionInfo.encryptionInTransit.clientBroker"],
    "aws:msk/topic:Topic": ["name", "partitionCount", "replicationFactor"],
    "aws:redshiftserverless/workgroup:Workgroup": ["workgroupName", "baseCapacity", "maxCapacity", "publiclyAccessible"],
    "aws:redshift/cluster:Cluster": ["clusterIdentifier", "nodeType", "numberOfNodes", "publiclyAccessible"],
    "aws:ec2/vpcEndpoint:VpcEndpoint": ["serviceName", "vpcEndpointType"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": ["metricName", "threshold"],
    "aws:budgets/budget:Budget": ["limitAmount", "timeUnit"],
    "aws:glue/catalogTable:CatalogTable": ["name"],
    "aws:glue/catalogDatabase:CatalogDatabase": ["name"],
    "aws:lakeformation/permissions:Permissions": ["permissions"],
    "aws:lambda/function:Function": ["runtime", "memorySize", "timeout", "reservedConcurrentExecutions"],
    "aws:lambda/eventSourceMapping:EventSourceMapping": ["batchSize", "startingPosition"],
    "aws:emrserverless/application:Application": ["releaseLabel", "type"],
    "aws:emr/cluster:Cluster": ["releaseLabel"],
    "aws:batch/computeEnvironment:ComputeEnvironment": ["computeResources.type", "computeResources.maxVcpus"],
    "aws:sfn/stateMachine:StateMachine": ["name"],
};

function pick(inputs: Record<string, unknown>, dotted: string): unknown {
    return dotted.split(".").reduce<unknown>((value, part) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined), inputs);
}

function describe(r: RecordedResource): string {
    const inputs = maskSecrets(r.inputs, r.secretPaths);
    const settings = (keySettings[r.type] ?? [])
        .map((k) => [k.split(".").filter((p) => !/^\d+$/.test(p)).pop()!, pick(inputs, k)] as const)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : String(v)}`);
    const flags = [r.protect ? "protected" : undefined, ...settings].filter(Boolean);
    return `${r.type} ${r.name}${flags.length ? `  [${flags.join(", ")}]` : ""}`;
}

/** The resources as a tree under their parents, then the count per type. */
export function planTree(run: OfflineRun): string {
    const children = new Map<string | undefined, RecordedResource[]>();
    const urns = new Set(run.resources.map((r) => r.urn));
    for (const r of run.resources) {
        const parent = r.parent && urns.has(r.parent) ? r.parent : undefined;
        children.set(parent, [...(children.get(parent) ?? []), r]);
    }
    const lines: string[] = [`Stack ${run.stack}: ${run.resources.length} resources`];
    const walk = (parent: string | undefined, indent: string) => {
        const list = (children.get(parent) ?? []).sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            lines.push(`${indent}${last ? "└─ " : "├─ "}${describe(r)}`);
            walk(r.urn, indent + (last ? "   " : "│  "));
        });
    };
    walk(undefined, "");
    lines.push("", "Resources per type:");
    const doc = planDocument(run);
    const width = Math.max(...Object.keys(doc.counts).map((t) => t.length));
    for (const [type, count] of Object.entries(doc.counts)) {
        lines.push(`  ${type.padEnd(width)}  ${count}`);
    }
    return lines.join("\n");
}
