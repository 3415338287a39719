import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import { observeRegistrations } from "./internals";
import { mockCall, mockResourceState } from "./mocks";

/**
 * Runs the Pulumi program in-process under `pulumi.runtime.setMocks`, with a stack's real config
 * file, and records every resource it registers. The offline plan, the policy check, the cost
 * report and the tests all read this record; no credentials, no Pulumi CLI.
 */

export const projectRoot = path.resolve(__dirname, "..", "..");
export const projectName = "platform";

export interface RecordedResource {
    readonly urn: string;
    /** The provider's ID for a custom resource (what other resources refer to it by, e.g. "sg-..."). */
    readonly id?: string;
    readonly type: string;
    readonly name: string;
    /** URN of the parent, if any. */
    readonly parent?: string;
    readonly custom: boolean;
    readonly inputs: Record<string, unknown>;
    /** Dotted paths of inputs that are secrets (shown as "[secret]" in the plan, like a real preview). */
    readonly secretPaths: readonly string[];
    /** What the mocked provider returned: inputs plus computed outputs (ARNs, IDs, endpoints). */
    readonly state: Record<string, unknown>;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly ignoreChanges: readonly string[];
    readonly dependencies: readonly string[];
    readonly provider?: string;
    /** Every other resource option of the request, normalized (see tools/offline/internals.ts). */
    readonly options: Record<string, unknown>;
}

export interface OfflineRun {
    readonly stack: string;
    readonly config: Readonly<Record<string, string>>;
    readonly resources: readonly RecordedResource[];
    readonly outputs: Readonly<Record<string, unknown>>;
}

export interface StackConfigFile {
    readonly values: Record<string, string>;
    readonly secretKeys: string[];
}

/** The value the offline plan stands in for a `secure:` config value, which it cannot decrypt. */
export const offlineSecretStandIn = "https://offline-secret.invalid/";

/**
 * Reads `Pulumi.<stack>.yaml` the way Pulumi hands config to a program: every value a string,
 * lists and objects as JSON, `secure:` values marked secret.
 */
export function readStackConfig(stack: string, root = projectRoot): StackConfigFile {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!/^[A-Za-z0-9_.-]+$/.test(stack) || !fs.existsSync(file)) {
        const known = fs.readdirSync(root).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)).map((f) => f.slice(7, -5));
        throw new Error(`--stack: expected one of ${known.join(", ")}; found "${stack}" (no ${path.basename(file)}). Fix: pass --stack ${known[0] ?? "dev"}`);
    }
    const doc = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        if (value !== null && typeof value === "object" && !Array.isArray(value) && "secure" in (value as object)) {
            values[key] = offlineSecretStandIn;
            secretKeys.push(key);
        } else {
            values[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { values, secretKeys };
}

export interface RunOptions {
    readonly stack: string;
    /** Replace (string) or remove (null) config values of the stack file, e.g. for tests. */
    readonly overrides?: Readonly<Record<string, string | null>>;
    /** Extra keys to treat as secrets (for overrides). */
    readonly secretKeys?: readonly string[];
}

function clearProgramModules(): void {
    for (const id of Object.keys(require.cache)) {
        if (id.startsWith(path.join(projectRoot, "infra") + path.sep) || id.startsWith(path.join(projectRoot, "runtime") + path.sep)) {
            delete require.cache[id];
        }
    }
}

async function settle<T>(value: unknown): Promise<T> {
    if (pulumi.Output.isInstance(value)) {
        return new Promise<T>((resolve) => (value as pulumi.Output<T>).apply((v) => resolve(v)));
    }
    if (Array.isArray(value)) {
        return (await Promise.all(value.map((v) => settle(v)))) as unknown as T;
    }
    if (value !== null && typeof value === "object" && !(value instanceof pulumi.Resource)) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            out[k] = await settle(v);
        }
        return out as T;
    }
    return value as T;
}

// Pulumi's wire markers for secrets, assets and archives: public exports of the SDK's runtime.
const { specialSigKey, specialSecretSig: secretSig, specialArchiveSig: archiveSig, specialAssetSig: assetSig } = pulumi.runtime;

/** Replaces secret wrappers by their values, collecting the dotted paths where they were. */
export function unwrapSecrets(value: unknown, path: string, secretPaths: string[]): unknown {
    if (Array.isArray(value)) {
        return value.map((v, i) => unwrapSecrets(v, path ? `${path}.${i}` : String(i), secretPaths));
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[specialSigKey] === secretSig) {
            secretPaths.push(path);
            return unwrapSecrets(record.value, path, []);
        }
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v, path ? `${path}.${k}` : k, secretPaths)]));
    }
    return value;
}

/** A code archive as recorded: each file's text (string assets) or source path (file assets and folders). */
export interface RecordedArchive {
    readonly archive: Record<string, { readonly text?: string; readonly path?: string }>;
}

/**
 * Mocks deserialize asset archives without their contents, so the recorder keeps them from the
 * raw request instead: the serialized closure of a CallbackFunction is then in the record.
 */
function keepArchives(inputs: Record<string, unknown>, raw: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(raw)) {
        const record = value as Record<string, unknown> | null;
        if (record && typeof record === "object" && record[specialSigKey] === archiveSig && record.assets && typeof record.assets === "object") {
            const archive: RecordedArchive["archive"] = {};
            for (const [name, asset] of Object.entries(record.assets as Record<string, Record<string, unknown>>)) {
                archive[name] = asset[specialSigKey] === assetSig && typeof asset.text === "string" ? { text: asset.text } : { path: String(asset.path ?? "") };
            }
            inputs[key] = { archive } satisfies RecordedArchive;
        }
    }
}

let running = false;

/** Runs the program for one stack and returns what it declared. Runs are serialized. */
export async function runOffline(options: RunOptions): Promise<OfflineRun> {
    if (running) {
        throw new Error("runOffline is already running; await the previous run first (Pulumi mocks are process-global)");
    }
    running = true;
    try {
        const file = readStackConfig(options.stack);
        const values: Record<string, string> = { ...file.values };
        for (const [key, value] of Object.entries(options.overrides ?? {})) {
            if (value === null) {
                delete values[key];
            } else {
                values[key] = value;
            }
        }
        const secretKeys = [...file.secretKeys, ...(options.secretKeys ?? [])];
        const region = values["aws:region"] ?? "us-east-1";
        const azs = Number(values["platform:availabilityZones"] ?? "2") || 2;

        const resources: RecordedResource[] = [];
        await pulumi.runtime.setMocks(
            {
                newResource: (args) => mockResourceState(args, region, azs),
                call: (args) => mockCall(args, region, azs),
            },
            projectName,
            options.stack,
            false,
        );
        pulumi.runtime.setAllConfig(values, secretKeys);
        const pending = observeRegistrations((registration) => {
                const secretPaths: string[] = [];
                const inputs = unwrapSecrets(registration.inputs, "", secretPaths) as Record<string, unknown>;
                keepArchives(inputs, registration.wireInputs);
                const o = registration.options;
                resources.push({
                    urn: registration.urn,
                    ...(registration.id !== undefined ? { id: registration.id } : {}),
                    type: o.type,
                    name: o.name,
                    parent: o.parent,
                    custom: o.custom,
                    inputs,
                    secretPaths,
                    state: unwrapSecrets(registration.state, "", []) as Record<string, unknown>,
                    protect: o.protect,
                    retainOnDelete: o.retainOnDelete,
                    ignoreChanges: o.ignoreChanges,
                    dependencies: o.dependencies,
                    provider: o.provider,
                    options: o.other,
                });
        });
        clearProgramModules();
        const program = require(path.join(projectRoot, "infra", "index.ts")) as Record<string, unknown>;
        const outputs: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(program)) {
            outputs[key] = await settle(value);
        }
        // Registrations chain on each other's outputs; wait until no new ones appear.
        let seen = -1;
        while (seen !== pending.length) {
            seen = pending.length;
            await Promise.all(pending);
            await new Promise((resolve) => setImmediate(resolve));
        }
        resources.sort((a, b) => a.urn.localeCompare(b.urn));
        return { stack: options.stack, config: values, resources, outputs };
    } finally {
        running = false;
    }
}
