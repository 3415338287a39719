import { OfflineRun, RecordedResource, runOffline, RunOptions } from "../../tools/offline/program";

/**
 * Offline runs of the program, shared by every test file: each committed stack runs once per
 * process; variants (config overrides) run on demand. Runs are serialized because Pulumi's mocks
 * are process-global.
 */
const cache = new Map<string, Promise<OfflineRun>>();
let queue: Promise<unknown> = Promise.resolve();

export function stackRun(stack: "dev" | "prod"): Promise<OfflineRun> {
    return variantRun({ stack });
}

export function variantRun(options: RunOptions): Promise<OfflineRun> {
    const key = JSON.stringify(options);
    let run = cache.get(key);
    if (!run) {
        run = queue.then(() => runOffline(options));
        queue = run.catch(() => undefined);
        cache.set(key, run);
    }
    return run;
}

export function ofType(run: OfflineRun, type: string): RecordedResource[] {
    return run.resources.filter((r) => r.type === type);
}

export function one(run: OfflineRun, type: string, name?: string): RecordedResource {
    const found = ofType(run, type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) {
        throw new Error(`expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
    }
    return found[0];
}

/** Reads a nested input by dotted path (array indices as numbers). */
export function input(resource: RecordedResource, dotted: string): unknown {
    return dotted.split(".").reduce<unknown>((value, part) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined), resource.inputs);
}

export function json(resource: RecordedResource, key: string): any {
    const value = resource.inputs[key];
    if (typeof value !== "string") {
        throw new Error(`${resource.type} ${resource.name}: input ${key} is not a JSON string`);
    }
    return JSON.parse(value);
}

/**
 * The test-only stack config of the `mskClientAuth` alternative: prod with SASL/SCRAM first (the
 * ingest functions' mode), IAM and mutual TLS enabled too, its AmazonMSK_ secret, private CA and
 * the customer-managed key of the secret. The pack config that goes with it allows exactly those modes.
 */
export const mskClientAuthVariant = {
    stack: "prod",
    overrides: {
        "platform:mskClientAuth": JSON.stringify(["scram", "iam", "tls"]),
        "platform:mskScramSecretArns": JSON.stringify(["arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_platform-prod-ingest-AbCdEf"]),
        "platform:mskCertificateAuthorityArns": JSON.stringify(["arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/1f2e3d4c-5b6a-7980-1a2b-3c4d5e6f7a8b"]),
        "platform:mskClientSecretsKmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    },
} as const satisfies RunOptions;
