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

export { firehoseDeliveryVariant, mskClientAuthVariant, provisionedWarehouseOverrides, zeroEtlClusterArn, zeroEtlVariants } from "../../tools/checkov-catalogue";
