import { OfflineRun, RecordedResource } from "../../../tools/offline/program";
import { Caller, Decision, Document, evaluate, grantedActions, globMatches, NamedPolicy } from "./evaluate";
import { Component, RecordedCall } from "./recorder";
import { IamCheck, iamChecks, ResourceNames } from "./requests";

/**
 * Simulates recorded runtime requests against one stack's plan: each component's role (its
 * inline policies), the bucket policies and the KMS key policies the plan declares.
 */

/** The role each component runs as in AWS, by the plan's resource name (`{dataset}` filled in). */
export const componentRoles: Readonly<Record<Component, string>> = {
    ingest: "ingest-{dataset}-role",
    batch: "batch-job",
    load: "orchestration-load",
    quality: "orchestration-quality",
    files: "files-{dataset}-role",
    // Named by the API source, not the dataset: `{source}` is the source whose function lands the dataset.
    connector: "connectors-{source}-role",
    cdc: "databases-landing-role",
};

export interface StackPolicies {
    readonly stack: string;
    readonly names: (dataset: string) => ResourceNames;
    readonly role: (component: Component, dataset: string) => { readonly name: string; readonly caller: Caller; readonly policies: NamedPolicy[] };
    readonly bucketPolicy: (bucketName: string) => NamedPolicy | undefined;
    readonly keyPolicy: (keyArn: string) => NamedPolicy | undefined;
    /** Whether the stack's ingest reads the dataset from Kinesis (the event-source requests apply). */
    readonly engine: (dataset: string) => "kinesis" | "kafka";
}

const ofType = (run: OfflineRun, type: string) => run.resources.filter((r) => r.type === type);
const parse = (r: RecordedResource, key: string): Document => JSON.parse(String(r.inputs[key])) as Document;

function only(run: OfflineRun, type: string, what: string, predicate: (r: RecordedResource) => boolean): RecordedResource | undefined {
    const found = ofType(run, type).filter(predicate);
    if (found.length > 1) throw new Error(`stack ${run.stack}: more than one ${type} is the ${what}: ${found.map((r) => r.name).join(", ")}`);
    return found[0];
}

/** Reads the documents and names a simulation needs from an offline run of the program. */
export function stackPolicies(run: OfflineRun, overrides: { readonly rolePolicy?: (roleName: string, document: Document) => Document } = {}): StackPolicies {
    const anyArn = String(ofType(run, "aws:iam/role:Role")[0]?.state.arn ?? "arn:aws:iam::123456789012:role/x");
    const [, partition, , , account] = anyArn.split(":");
    const region = String(run.config["aws:region"] ?? "us-east-1");
    const buckets: Record<string, { name: string; keyArn?: string }> = {};
    for (const bucket of ofType(run, "aws:s3/bucket:Bucket")) {
        const zone = (bucket.inputs.tags as Record<string, string> | undefined)?.["lake-zone"];
        const name = String(bucket.state.bucket ?? bucket.id);
        if (!zone) continue;
        const sse = ofType(run, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").find((c) => c.inputs.bucket === name);
        const rule = (sse?.inputs.rules as { applyServerSideEncryptionByDefault?: { kmsMasterKeyId?: string; sseAlgorithm?: string } }[] | undefined)?.[0]?.applyServerSideEncryptionByDefault;
        buckets[zone] = { name, ...(rule?.sseAlgorithm === "aws:kms" && rule.kmsMasterKeyId ? { keyArn: rule.kmsMasterKeyId } : {}) };
    }
    const curated = only(run, "aws:glue/catalogDatabase:CatalogDatabase", "curated database", (r) => /_curated$/.test(String(r.inputs.name)));
    const workgroup = only(run, "aws:redshiftserverless/workgroup:Workgroup", "warehouse", () => true);
    const namespace = only(run, "aws:redshiftserverless/namespace:Namespace", "warehouse namespace", () => true);
    const cluster = only(run, "aws:redshift/cluster:Cluster", "warehouse", () => true);
    const loadFunction = only(run, "aws:lambda/function:Function", "load function", (r) => r.name === "orchestration-load");
    const secretArn = (loadFunction?.inputs.environment as { variables?: Record<string, string> } | undefined)?.variables?.WAREHOUSE_SECRET_ARN;
    const secretKey = (namespace?.inputs.adminPasswordSecretKmsKeyId ?? cluster?.inputs.masterPasswordSecretKmsKeyId) as string | undefined;
    const warehouse = workgroup
        ? { arn: String(workgroup.state.arn), kind: "workgroup" as const, name: String(workgroup.inputs.workgroupName) }
        : cluster
          ? { arn: String(cluster.state.arn), kind: "cluster" as const, name: String(cluster.inputs.clusterIdentifier) }
          : undefined;
    const jobQueue = only(run, "aws:batch/jobQueue:JobQueue", "job queue", () => true);
    const jobDefinition = only(run, "aws:batch/jobDefinition:JobDefinition", "job definition", () => true);
    const batch = jobQueue && jobDefinition ? { jobQueueArn: String(jobQueue.state.arn), jobDefinitionArn: String(jobDefinition.state.arn) } : undefined;
    const streamOf = (dataset: string) => ofType(run, "aws:kinesis/stream:Stream").find((s) => s.name === `streaming-${dataset}`);
    const lakeKeyArn = buckets.raw?.keyArn;
    /** The API connector function that lands `dataset` (its API_SOURCE names the dataset), if any. */
    const connectorOf = (dataset: string) => {
        const found = ofType(run, "aws:lambda/function:Function").filter((f) => {
            const source = (f.inputs.environment as { variables?: Record<string, string> } | undefined)?.variables?.API_SOURCE;
            return source !== undefined && (JSON.parse(source) as { dataset?: string }).dataset === dataset;
        });
        if (found.length > 1) throw new Error(`stack ${run.stack}: more than one API connector lands ${dataset}: ${found.map((f) => f.name).join(", ")}`);
        if (found.length === 0) return undefined;
        const variables = (found[0].inputs.environment as { variables: Record<string, string> }).variables;
        const source = (JSON.parse(variables.API_SOURCE) as { name: string }).name;
        // A secret named in config is matched with `-??????` in the role; a concrete ARN of that name stands for it here.
        const secretArn = variables.SECRET_ARN.startsWith("arn:") ? variables.SECRET_ARN : `arn:${partition}:secretsmanager:${region}:${account}:secret:${variables.SECRET_ARN}-AbC123`;
        return { source, secretArn };
    };

    const names = (dataset: string): ResourceNames => {
        const stream = streamOf(dataset);
        const connector = connectorOf(dataset);
        return {
            partition,
            region,
            account,
            buckets,
            ...(stream ? { stream: { arn: String(stream.state.arn), ...(stream.inputs.kmsKeyId ? { keyArn: String(stream.inputs.kmsKeyId) } : {}) } } : {}),
            ...(curated ? { curatedDatabase: String(curated.inputs.name) } : {}),
            ...(warehouse ? { warehouse } : {}),
            ...(secretArn ? { secret: { arn: secretArn, ...(secretKey ? { keyArn: secretKey } : {}) } } : {}),
            ...(batch ? { batch } : {}),
            ...(connector ? { apiSecret: { arn: connector.secretArn, ...(lakeKeyArn ? { keyArn: lakeKeyArn } : {}) } } : {}),
        };
    };

    const role = (component: Component, dataset: string) => {
        const connector = component === "connector" ? connectorOf(dataset) : undefined;
        if (component === "connector" && !connector) throw new Error(`stack ${run.stack}: no API connector lands ${dataset}; the connector component needs one (apiSources in the stack config)`);
        const name = componentRoles[component].replace("{dataset}", dataset).replace("{source}", connector?.source ?? "");
        const roleResource = only(run, "aws:iam/role:Role", `role of ${component}`, (r) => r.name === name);
        if (!roleResource) throw new Error(`stack ${run.stack}: no role ${name} for component ${component}; update componentRoles in tests/helpers/iam/simulate.ts`);
        const physical = String(roleResource.state.name ?? roleResource.id);
        const attachments = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.inputs.role === physical);
        if (attachments.length > 0) throw new Error(`stack ${run.stack}: role ${name} has managed policies attached (${attachments.map((a) => a.inputs.policyArn).join(", ")}); the simulation reads inline role policies only`);
        const policies = ofType(run, "aws:iam/rolePolicy:RolePolicy")
            .filter((p) => p.inputs.role === physical)
            .map((p) => ({ name: `${run.stack} role policy ${p.name}`, document: overrides.rolePolicy ? overrides.rolePolicy(name, parse(p, "policy")) : parse(p, "policy") }));
        const caller: Caller = { roleArn: String(roleResource.state.arn), account, userId: `AROA${name.replace(/[^A-Za-z0-9]/g, "").toUpperCase().slice(0, 17)}:${component}-session` };
        return { name, caller, policies };
    };

    const bucketPolicy = (bucketName: string) => {
        const policy = ofType(run, "aws:s3/bucketPolicy:BucketPolicy").find((p) => p.inputs.bucket === bucketName);
        return policy ? { name: `${run.stack} bucket policy ${policy.name}`, document: parse(policy, "policy") } : undefined;
    };
    const keyPolicy = (keyArn: string) => {
        const key = ofType(run, "aws:kms/key:Key").find((k) => k.state.arn === keyArn);
        if (!key) return undefined;
        const separate = ofType(run, "aws:kms/keyPolicy:KeyPolicy").find((p) => p.inputs.keyId === key.id || p.inputs.keyId === keyArn);
        const source = separate ?? key;
        return typeof source.inputs.policy === "string" ? { name: `${run.stack} key policy ${key.name}`, document: parse(source, "policy") } : undefined;
    };
    return { stack: run.stack, names, role, bucketPolicy, keyPolicy, engine: (dataset) => (streamOf(dataset) ? "kinesis" : "kafka") };
}

export interface SimulatedCheck {
    readonly stack: string;
    readonly component: Component;
    readonly role: string;
    readonly call: RecordedCall;
    readonly check: IamCheck;
    readonly decision: Decision;
}

/** Whether a call applies to the stack: the event source's own requests (Kinesis) exist only where the dataset streams through Kinesis. */
export function appliesTo(call: RecordedCall, stack: StackPolicies): boolean {
    return call.service !== "Kinesis" || stack.engine(call.dataset) === "kinesis";
}

export function simulate(calls: readonly RecordedCall[], stack: StackPolicies): SimulatedCheck[] {
    const out: SimulatedCheck[] = [];
    for (const call of calls) {
        if (!appliesTo(call, stack)) continue;
        const role = stack.role(call.component, call.dataset);
        const names = stack.names(call.dataset);
        for (const check of iamChecks(call, names, role.caller.userId)) {
            const bucketName = check.resourceKind === "bucket" ? check.resource.replace(/^arn:[^:]+:s3:::/, "").split("/")[0]! : undefined;
            const resourcePolicy = bucketName ? stack.bucketPolicy(bucketName) : undefined;
            const keyPolicy = check.resourceKind === "key" ? stack.keyPolicy(check.resource) : undefined;
            if (check.resourceKind === "key" && !keyPolicy) throw new Error(`stack ${stack.stack}: ${check.action} on ${check.resource}: the plan declares no key with that ARN (or no key policy)`);
            const decision = evaluate(check, role.caller, { identity: role.policies, ...(resourcePolicy ? { resource: resourcePolicy } : {}), ...(keyPolicy ? { keyPolicy } : {}) });
            out.push({ stack: stack.stack, component: call.component, role: role.name, call, check, decision });
        }
    }
    return out;
}

/** One line per denied check: role, action, resource, context, why, and the statement that would allow it. */
export function describeDenial(s: SimulatedCheck): string {
    const context = Object.keys(s.check.context).length > 0 ? ` with ${JSON.stringify(s.check.context)}` : "";
    const missing = JSON.stringify({ Effect: "Allow", Action: s.check.action, Resource: s.check.resource });
    return (
        `${s.stack}: role ${s.role} (${s.component}) is denied ${s.check.action} on ${s.check.resource}${context} ` +
        `[${s.check.because}; ${s.call.service} ${s.call.operation}${s.call.test ? ` in "${s.call.test}"` : ""}]: ${s.decision.reason}. ` +
        (s.decision.decision === "implicitDeny" ? `Missing statement: ${missing}` : "Remove or narrow the Deny")
    );
}

/**
 * Allow-statement actions of each simulated role that no recorded request used (wildcards in
 * a grant count as used when a used action matches them). Keyed `<role> <action>`.
 */
export function unusedGrants(simulated: readonly SimulatedCheck[], stack: StackPolicies, roles: readonly { component: Component; dataset: string }[]): Map<string, string> {
    const used = new Map<string, Set<string>>();
    for (const s of simulated) {
        if (s.decision.decision !== "allowed") continue;
        const set = used.get(s.role) ?? new Set<string>();
        set.add(s.check.action.toLowerCase());
        used.set(s.role, set);
    }
    const unused = new Map<string, string>();
    for (const { component, dataset } of roles) {
        const role = stack.role(component, dataset);
        for (const policy of role.policies) {
            for (const { action, where } of grantedActions(policy)) {
                const actions = used.get(role.name) ?? new Set<string>();
                if (![...actions].some((a) => globMatches(action, a, true))) unused.set(`${role.name} ${action}`, where);
            }
        }
    }
    return unused;
}
