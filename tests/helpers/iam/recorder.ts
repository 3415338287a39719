import { AsyncLocalStorage } from "async_hooks";
import { S3Client } from "@aws-sdk/client-s3";

/**
 * Records every AWS SDK v3 request the runtime sends while an integration test runs it, tagged
 * with the component (and so the role) that makes it in AWS. Test setup and assertions run
 * outside `recordAs` and are not recorded. Local resource names (a test's fresh bucket on moto)
 * are replaced by the logical resource they stand for (`{raw}`), which the simulation maps to the
 * plan's ARN of each stack.
 */

/** Components whose AWS requests are simulated, each with its role in the plan. */
export type Component = "ingest" | "batch" | "load" | "quality" | "files" | "connector" | "cdc";
export type Zone = "raw" | "rejects" | "curated" | "artifacts" | "landing";

export interface Scope {
    readonly component: Component;
    readonly dataset: string;
    /** Streaming engine the requests belong to (the event-source requests exist for Kinesis only). */
    readonly engine?: "kinesis" | "kafka";
    /** Local bucket name → the lake zone it stands for. */
    readonly buckets?: Readonly<Record<string, Zone>>;
    /** Local Kinesis stream names of the dataset's stream. */
    readonly streams?: readonly string[];
    /** Local Glue database names standing for the curated catalog database. */
    readonly glueDatabases?: readonly string[];
    /** Local warehouse names (workgroup or cluster) standing for the plan's warehouse. */
    readonly warehouses?: readonly string[];
    /** Local secret ARNs standing for the warehouse's managed admin secret. */
    readonly secrets?: readonly string[];
    /** Local secret ARNs standing for an API connector's credentials secret. */
    readonly apiSecrets?: readonly string[];
}

export interface RecordedCall {
    readonly component: Component;
    readonly dataset: string;
    readonly engine?: "kinesis" | "kafka";
    /** SDK service id, e.g. `S3`, `Kinesis`, `Glue`, `Redshift Data`. */
    readonly service: string;
    /** Command name without `Command`, e.g. `PutObject`. */
    readonly operation: string;
    /** The input fields IAM reads, local names replaced (`{raw}`, `{stream}`, `{curated}`, `{warehouse}`, `{secret}`, `{apiSecret}`). */
    readonly input: Readonly<Record<string, string | readonly string[]>>;
    /** `ok`, or the error the service answered (`NotFound`, `NoSuchKey`, `PreconditionFailed`, ...). */
    readonly outcome: string;
    /** The test that made it (mocha's full title), for reports. */
    readonly test?: string;
}

const scopes = new AsyncLocalStorage<Scope>();
const calls: RecordedCall[] = [];
let installed = false;
let currentTest: string | undefined;

/** Runs `fn` (and everything it starts, timers included) as `scope.component` would run in AWS. */
export function recordAs<T>(scope: Scope, fn: () => T): T {
    install();
    return scopes.run(scope, fn);
}

export function setCurrentTest(title: string | undefined): void {
    currentTest = title;
}

export function recordedCalls(): readonly RecordedCall[] {
    return calls;
}

function logicalName(value: string, names: Readonly<Record<string, string>>, kind: string): string {
    return names[value] ?? `{unbound ${kind} ${value}}`;
}

const asRecord = (names: readonly string[] | undefined, label: string): Record<string, string> => Object.fromEntries((names ?? []).map((n) => [n, label]));

/** The input fields that decide IAM actions, resources and condition keys, with local names made logical. */
export function logicalInput(scope: Scope, input: Record<string, unknown>): Record<string, string | readonly string[]> {
    const out: Record<string, string | readonly string[]> = {};
    const text = (v: unknown) => (typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : undefined);
    const buckets = Object.fromEntries(Object.entries(scope.buckets ?? {}).map(([name, zone]) => [name, `{${zone}}`]));
    for (const [field, value] of Object.entries(input)) {
        const v = text(value);
        switch (field) {
            case "Bucket":
                if (v !== undefined) out.Bucket = logicalName(v, buckets, "bucket");
                break;
            case "StreamName":
                if (v !== undefined) out.StreamName = logicalName(v, asRecord(scope.streams, "{stream}"), "stream");
                break;
            case "StreamARN":
                if (v !== undefined) out.StreamName = logicalName(v.split("/").pop() ?? v, asRecord(scope.streams, "{stream}"), "stream");
                break;
            case "DatabaseName":
                if (v !== undefined) out.DatabaseName = logicalName(v, asRecord(scope.glueDatabases, "{curated}"), "glue database");
                break;
            case "WorkgroupName":
            case "ClusterIdentifier":
                if (v !== undefined) out[field] = logicalName(v, asRecord(scope.warehouses, "{warehouse}"), "warehouse");
                break;
            case "SecretArn":
                if (v !== undefined) out.SecretArn = logicalName(v, asRecord(scope.secrets, "{secret}"), "secret");
                break;
            case "SecretId":
                if (v !== undefined) out.SecretId = logicalName(v, asRecord(scope.apiSecrets, "{apiSecret}"), "secret");
                break;
            case "CopySource": {
                // `bucket/key[?versionId=…]`: the source bucket made logical, the key decoded, the version kept as a flag.
                if (v === undefined) break;
                const [source, query] = v.split("?");
                const slash = (source ?? "").indexOf("/");
                out.CopySourceBucket = logicalName((source ?? "").slice(0, slash), buckets, "bucket");
                out.CopySourceKey = decodeURIComponent((source ?? "").slice(slash + 1));
                if (query?.startsWith("versionId=")) out.CopySourceVersionId = "set";
                break;
            }
            case "VersionId":
                // The version id itself is random; IAM only cares whether one is named (the *Version actions).
                if (v !== undefined) out.VersionId = "set";
                break;
            case "jobQueue":
                if (v !== undefined) out.jobQueue = "{jobQueue}";
                break;
            case "jobDefinition":
                if (v !== undefined) out.jobDefinition = "{jobDefinition}";
                break;
            case "Delete": {
                const objects = (value as { Objects?: { Key?: string }[] } | undefined)?.Objects ?? [];
                out.DeleteKeys = objects.map((o) => o.Key ?? "");
                break;
            }
            case "Key":
            case "Prefix":
            case "Delimiter":
            case "ServerSideEncryption":
            case "SSEKMSKeyId":
            case "TableName":
            case "Name":
            case "DbUser":
            case "ShardIteratorType":
            case "IfNoneMatch":
                if (v !== undefined) out[field] = v;
                break;
            case "ShardIterator":
                // The iterator is opaque and names its stream only inside; the scope's stream is the resource.
                out.StreamName = (scope.streams ?? []).length > 0 ? "{stream}" : "{unbound stream (iterator)}";
                break;
            case "NextToken":
                if ((scope.streams ?? []).length > 0 && out.StreamName === undefined) out.StreamName = "{stream}";
                break;
            default:
                break;
        }
    }
    return out;
}

function outcomeOf(error: unknown): string {
    const shape = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
    if (shape?.$metadata?.httpStatusCode === 404 && shape.name !== "NoSuchKey") return "NotFound";
    return shape?.name ?? "Error";
}

/** Wraps the `send` every SDK v3 client inherits (from smithy's `Client`), once per process. */
export function install(): void {
    if (installed) return;
    installed = true;
    // S3Client extends smithy's Client directly; every other v3 client shares that prototype.
    const clientPrototype = Object.getPrototypeOf(S3Client.prototype) as { send: (...args: unknown[]) => unknown };
    const original = clientPrototype.send;
    clientPrototype.send = function (this: { config?: { serviceId?: string } }, ...args: unknown[]) {
        const scope = scopes.getStore();
        const command = args[0] as { constructor: { name: string }; input?: Record<string, unknown> };
        const result = original.apply(this, args);
        if (!scope || !(result instanceof Promise)) return result;
        const call = {
            component: scope.component,
            dataset: scope.dataset,
            ...(scope.engine ? { engine: scope.engine } : {}),
            service: this.config?.serviceId ?? "unknown",
            operation: command.constructor.name.replace(/Command$/, ""),
            input: logicalInput(scope, command.input ?? {}),
            ...(currentTest ? { test: currentTest } : {}),
        };
        return result.then(
            (value) => {
                calls.push({ ...call, outcome: "ok" });
                return value;
            },
            (error: unknown) => {
                // Recorded too when unanswered (timeouts, injected faults): on AWS it would have been authorized all the same.
                calls.push({ ...call, outcome: outcomeOf(error) });
                throw error;
            },
        );
    };
}

/** Makes every request sent through `client` run as `scope` (for clients a test hands to the runtime). */
export function bindScope<T extends { send: (...args: any[]) => any }>(client: T, scope: Scope): T {
    install();
    const send = client.send.bind(client);
    return new Proxy(client, {
        get(target, property, receiver) {
            if (property === "send") return (...args: unknown[]) => recordAs(scope, () => send(...args));
            return Reflect.get(target, property, receiver);
        },
    });
}
