import {
    EnforcementLevel,
    Policies,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
    unknownCheckingProxy,
} from "@pulumi/policy";
import { isUnknownValueError } from "../lib/values";
import { validateConfig } from "./schema";

/**
 * Runs policies the way the Pulumi engine and the `@pulumi/policy` analyzer server do
 * (pulumi/pulumi `ReconcilePolicyPackConfig`, pulumi-policy `server.ts`), without a CLI:
 *
 * - config: schema defaults, then the pack config file's `all` level, then each policy's entry
 *   (level and properties), then JSON Schema validation;
 * - effective level: configured level, else the policy's, else the pack's; `disabled` skips the
 *   policy, `remediate` reports as `mandatory`;
 * - resource policies get the resource's inputs, stack policies every resource's outputs, both
 *   wrapped in the SDK's `unknownCheckingProxy`, plus urn, name, options, provider, stack tags,
 *   `getConfig` and `notApplicable`;
 * - an `UnknownValueError` becomes an advisory "can't run during preview" diagnostic, a
 *   `notApplicable` call is recorded, any other error fails the run (the engine fails the
 *   preview with "Error validating resource with policy ...").
 */

/** One resource as the engine describes it to the analyzer. */
export interface EngineResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    /** What resource policies see: the resource's inputs. */
    readonly inputs: Record<string, unknown>;
    /** What stack policies see: the resource's outputs (inputs propagated during preview). */
    readonly outputs: Record<string, unknown>;
    readonly protect: boolean;
    readonly ignoreChanges?: readonly string[];
    readonly aliases?: readonly string[];
    readonly deleteBeforeReplace?: boolean;
    readonly additionalSecretOutputs?: readonly string[];
    readonly customTimeouts?: { readonly createSeconds: number; readonly updateSeconds: number; readonly deleteSeconds: number };
    /** URN of the parent resource. */
    readonly parent?: string;
    readonly dependencies?: readonly string[];
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
    /** URN of the resource's provider (a `pulumi:providers:*` resource in the same list). */
    readonly provider?: string;
}

/** `--policy-pack-config` file contents: `{ "all"?: level, "<policy>": level | { enforcementLevel?, ...props } }`. */
export type PackConfigFile = Readonly<Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>>;

export interface ReconciledPolicyConfig {
    readonly enforcementLevel: EnforcementLevel;
    readonly properties: Record<string, unknown>;
}

export class PolicyConfigError extends Error {
    readonly problems: readonly string[];
    constructor(problems: readonly string[]) {
        super(`policy pack configuration is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "PolicyConfigError";
        this.problems = problems;
    }
}

const levels: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

function isLevel(value: unknown): value is EnforcementLevel {
    return typeof value === "string" && (levels as readonly string[]).includes(value);
}

/**
 * Reconciles the pack's policies with a config file as the CLI does. Throws `PolicyConfigError`
 * listing every problem: invalid levels, properties that fail a schema, and (stricter than the
 * CLI, which ignores them) policy names the pack does not have.
 */
export function reconcileConfig(policies: Policies, packLevel: EnforcementLevel, file: PackConfigFile = {}): Map<string, ReconciledPolicyConfig> {
    const problems: string[] = [];
    const result = new Map<string, ReconciledPolicyConfig>();
    for (const p of policies) {
        const properties: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
            if (typeof schema === "object" && schema !== null && "default" in schema) {
                properties[key] = structuredClone(schema.default);
            }
        }
        result.set(p.name, { enforcementLevel: p.enforcementLevel ?? packLevel, properties });
    }
    const all = file.all;
    if (all !== undefined) {
        const level = typeof all === "string" ? all : all.enforcementLevel;
        if (!isLevel(level)) {
            problems.push(`all: expected an enforcement level (${levels.join(", ")}), found ${JSON.stringify(level)}`);
        } else {
            for (const [name, config] of result) {
                result.set(name, { ...config, enforcementLevel: level });
            }
        }
    }
    for (const [name, given] of Object.entries(file)) {
        if (name === "all") {
            continue;
        }
        const current = result.get(name);
        if (!current) {
            problems.push(`${name}: the pack has no policy of this name`);
            continue;
        }
        if (typeof given === "string") {
            if (!isLevel(given)) {
                problems.push(`${name}: expected an enforcement level (${levels.join(", ")}), found ${JSON.stringify(given)}`);
                continue;
            }
            result.set(name, { ...current, enforcementLevel: given });
            continue;
        }
        const { enforcementLevel, ...props } = given;
        if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
            problems.push(`${name}.enforcementLevel: expected one of ${levels.join(", ")}, found ${JSON.stringify(enforcementLevel)}`);
        }
        result.set(name, {
            enforcementLevel: isLevel(enforcementLevel) ? enforcementLevel : current.enforcementLevel,
            properties: { ...current.properties, ...props },
        });
    }
    for (const p of policies) {
        if (p.configSchema) {
            for (const error of validateConfig(p.configSchema, result.get(p.name)!.properties)) {
                problems.push(`${p.name}: ${error}`);
            }
        }
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(problems);
    }
    return result;
}

export type ReportedLevel = "mandatory" | "advisory";

export interface Diagnostic {
    readonly policy: string;
    readonly level: ReportedLevel;
    /** The resource blamed; absent when a stack policy blames the whole stack. */
    readonly urn?: string;
    /** What the policy reported (the engine prints the policy description above it). */
    readonly message: string;
    readonly severity?: Severity;
    /** `violation`, or `unknown` for "can't run during preview" (a value was unknown). */
    readonly kind: "violation" | "unknown";
}

export interface NotApplicable {
    readonly policy: string;
    readonly urn?: string;
    readonly reason?: string;
}

export interface PackReport {
    /** Policies that ran (not disabled). */
    readonly policies: number;
    readonly diagnostics: Diagnostic[];
    readonly notApplicable: NotApplicable[];
}

class NotApplicableError extends Error {
    readonly reason?: string;
    constructor(reason?: string) {
        super(reason ?? "Policy does not apply");
        this.reason = reason;
    }
}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicableError(reason);
}

/** The Pulumi type attached to a resource class or a typed validation function (`__pulumiType`). */
function pulumiTypeOf(value: unknown): string | undefined {
    const type = (value as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    return typeof type === "string" ? type : undefined;
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    const pulumiType = pulumiTypeOf(resourceClass);
    if (pulumiType) {
        return type === pulumiType;
    }
    const isInstance = (resourceClass as { isInstance?: (o: unknown) => boolean }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

function freezeMap(map: Map<string, string>): ReadonlyMap<string, string> {
    return Object.freeze({
        entries: map.entries.bind(map),
        forEach: map.forEach.bind(map),
        get: map.get.bind(map),
        has: map.has.bind(map),
        keys: map.keys.bind(map),
        size: map.size,
        values: map.values.bind(map),
        [Symbol.iterator]: map[Symbol.iterator].bind(map),
    }) as ReadonlyMap<string, string>;
}

/** What the engine would deserialize from the wire: plain JSON-like data (a fresh copy per call). */
function wireCopy(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map((v) => wireCopy(v));
    }
    if (value !== null && typeof value === "object") {
        if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
            return value; // assets and archives keep their class, as in the SDK's deserializer
        }
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            if (v !== undefined) {
                out[k] = wireCopy(v);
            }
        }
        return out;
    }
    return value;
}

function proxied(props: Record<string, unknown>): Record<string, any> {
    return unknownCheckingProxy(wireCopy(props));
}

function resourceOptions(r: EngineResource): PolicyResourceOptions {
    const opts: PolicyResourceOptions = {
        protect: r.protect,
        ignoreChanges: [...(r.ignoreChanges ?? [])],
        aliases: [...(r.aliases ?? [])],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0, ...(r.customTimeouts ?? {}) },
        additionalSecretOutputs: [...(r.additionalSecretOutputs ?? [])],
    };
    if (r.deleteBeforeReplace !== undefined) {
        opts.deleteBeforeReplace = r.deleteBeforeReplace;
    }
    if (r.parent) {
        opts.parent = r.parent;
    }
    return opts;
}

export interface RunOptions {
    readonly config?: PackConfigFile;
    /** The pack's default level (the `enforcementLevel` the entry point gives the pack); defaults to advisory. */
    readonly packEnforcementLevel?: EnforcementLevel;
    readonly stackTags?: Readonly<Record<string, string>>;
}

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

function isResourcePolicy(p: AnyPolicy): p is ResourceValidationPolicy {
    const v = (p as ResourceValidationPolicy).validateResource;
    return typeof v === "function" || (Array.isArray(v) && v.every((f) => typeof f === "function")) || typeof (p as ResourceValidationPolicy).remediateResource === "function";
}

function isStackPolicy(p: AnyPolicy): p is StackValidationPolicy {
    return typeof (p as StackValidationPolicy).validateStack === "function";
}

/** A policy pack bound to its reconciled config, ready to analyze resources and stacks. */
export class PolicyEngine {
    readonly policies: readonly AnyPolicy[];
    readonly config: ReadonlyMap<string, ReconciledPolicyConfig>;
    readonly stackTags: ReadonlyMap<string, string>;

    constructor(policies: Policies, options: RunOptions = {}) {
        const names = new Set<string>();
        for (const p of policies) {
            if (p.name === "all") {
                throw new Error('Invalid policy name "all". "all" is a reserved name.');
            }
            if (names.has(p.name)) {
                throw new Error(`Duplicate policy name "${p.name}"`);
            }
            names.add(p.name);
            if (p.configSchema?.properties?.enforcementLevel || p.configSchema?.required?.includes("enforcementLevel")) {
                throw new Error(`${p.name}: enforcementLevel cannot be declared in configSchema`);
            }
        }
        this.policies = policies;
        this.config = reconcileConfig(policies, options.packEnforcementLevel ?? "advisory", options.config);
        this.stackTags = freezeMap(new Map(Object.entries(options.stackTags ?? {})));
    }

    /** Policies that are not disabled. */
    get activePolicies(): AnyPolicy[] {
        return this.policies.filter((p) => this.config.get(p.name)!.enforcementLevel !== "disabled");
    }

    private level(p: AnyPolicy): EnforcementLevel {
        return this.config.get(p.name)!.enforcementLevel;
    }

    private getConfigFor(p: AnyPolicy): <T extends object>() => T {
        return <T extends object>() => ({ ...this.config.get(p.name)!.properties }) as T;
    }

    private readonly indexes = new WeakMap<readonly EngineResource[], ReadonlyMap<string, EngineResource>>();

    /** Resources by URN, built once per resource list. */
    private index(all: readonly EngineResource[]): ReadonlyMap<string, EngineResource> {
        let byUrn = this.indexes.get(all);
        if (!byUrn) {
            byUrn = new Map(all.map((r) => [r.urn, r]));
            this.indexes.set(all, byUrn);
        }
        return byUrn;
    }

    private providerOf(r: EngineResource, byUrn: ReadonlyMap<string, EngineResource>): PolicyProviderResource | undefined {
        const provider = r.provider ? byUrn.get(r.provider) : undefined;
        if (!provider) {
            return undefined;
        }
        return { type: provider.type, props: proxied(provider.inputs), urn: provider.urn, name: provider.name };
    }

    /** Runs every resource policy on one resource's inputs (the engine's `Analyze` call). */
    async analyzeResource(resource: EngineResource, all: readonly EngineResource[] = [resource]): Promise<{ diagnostics: Diagnostic[]; notApplicable: NotApplicable[] }> {
        const byUrn = this.index(all);
        const diagnostics: Diagnostic[] = [];
        const notApplicable: NotApplicable[] = [];
        for (const p of this.policies) {
            let level = this.level(p);
            if (level === "disabled" || !isResourcePolicy(p)) {
                continue;
            }
            if (!p.validateResource) {
                notApplicable.push({ policy: p.name, urn: resource.urn, reason: "Policy does not implement validateResource" });
                continue;
            }
            if (level === "remediate") {
                level = "mandatory";
            }
            if (!Array.isArray(p.validateResource)) {
                const pulumiType = pulumiTypeOf(p.validateResource);
                if (pulumiType && resource.type !== pulumiType) {
                    notApplicable.push({ policy: p.name, urn: resource.urn, reason: `Policy only applies to resources of type '${pulumiType}'` });
                    continue;
                }
            }
            const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
            for (const validation of validations) {
                const props = proxied(resource.inputs);
                const args: ResourceValidationArgs = {
                    type: resource.type,
                    props,
                    urn: resource.urn,
                    name: resource.name,
                    opts: resourceOptions(resource),
                    stackTags: this.stackTags,
                    isType: (cls) => isTypeOf(resource.type, cls),
                    asType: ((cls: unknown) => (isTypeOf(resource.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
                    getConfig: this.getConfigFor(p),
                    notApplicable: throwNotApplicable,
                };
                const provider = this.providerOf(resource, byUrn);
                if (provider) {
                    args.provider = provider;
                }
                const report = (message: string) => diagnostics.push({ policy: p.name, level: level as ReportedLevel, urn: resource.urn, message, severity: p.severity, kind: "violation" });
                try {
                    await Promise.resolve(validation(args, report));
                } catch (err) {
                    if (isUnknownValueError(err)) {
                        diagnostics.push({ policy: p.name, level: "advisory", urn: resource.urn, message: `can't run policy '${p.name}' during preview: ${(err as Error).message}`, severity: p.severity, kind: "unknown" });
                    } else if (err instanceof NotApplicableError) {
                        notApplicable.push({ policy: p.name, urn: resource.urn, reason: err.reason });
                    } else {
                        throw new Error(`Error validating resource with policy '${p.name}': ${(err as Error).stack ?? err}`);
                    }
                }
            }
        }
        return { diagnostics, notApplicable };
    }

    /** Runs every stack policy on all resources' outputs (the engine's `AnalyzeStack` call). */
    async analyzeStack(resources: readonly EngineResource[]): Promise<{ diagnostics: Diagnostic[]; notApplicable: NotApplicable[] }> {
        const byUrn = this.index(resources);
        const diagnostics: Diagnostic[] = [];
        const notApplicable: NotApplicable[] = [];
        for (const p of this.policies) {
            let level = this.level(p);
            if (level === "disabled" || !isStackPolicy(p)) {
                continue;
            }
            if (level === "remediate") {
                level = "mandatory";
            }
            const pulumiType = pulumiTypeOf(p.validateStack);
            if (pulumiType && !resources.some((r) => r.type === pulumiType)) {
                notApplicable.push({ policy: p.name, reason: `Policy only applies to resources of type '${pulumiType}'` });
                continue;
            }
            const report = (message: string, urn?: string) => diagnostics.push({ policy: p.name, level: level as ReportedLevel, urn, message, severity: p.severity, kind: "violation" });
            try {
                const policyResources: PolicyResource[] = resources.map((r) => {
                    const props = proxied(r.outputs);
                    const resource: PolicyResource = {
                        type: r.type,
                        props,
                        urn: r.urn,
                        name: r.name,
                        opts: resourceOptions(r),
                        dependencies: [],
                        propertyDependencies: {},
                        isType: (cls) => isTypeOf(r.type, cls),
                        asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
                    };
                    const provider = this.providerOf(r, byUrn);
                    if (provider) {
                        resource.provider = provider;
                    }
                    return resource;
                });
                const objects = new Map(policyResources.map((r) => [r.urn, r]));
                resources.forEach((r, i) => {
                    const resource = policyResources[i];
                    const parent = r.parent ? objects.get(r.parent) : undefined;
                    if (parent) {
                        resource.parent = parent;
                    }
                    resource.dependencies = (r.dependencies ?? []).map((d) => objects.get(d)).filter((d): d is PolicyResource => d !== undefined);
                    for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
                        resource.propertyDependencies[key] = urns.map((d) => objects.get(d)).filter((d): d is PolicyResource => d !== undefined);
                    }
                });
                const args: StackValidationArgs = {
                    resources: policyResources,
                    getConfig: this.getConfigFor(p),
                    stackTags: this.stackTags,
                    notApplicable: throwNotApplicable,
                };
                await Promise.resolve(p.validateStack(args, report));
            } catch (err) {
                if (isUnknownValueError(err)) {
                    diagnostics.push({ policy: p.name, level: "advisory", message: `can't run policy '${p.name}' during preview: ${(err as Error).message}`, severity: p.severity, kind: "unknown" });
                } else if (err instanceof NotApplicableError) {
                    notApplicable.push({ policy: p.name, reason: err.reason });
                } else {
                    throw new Error(`Error validating stack with policy '${p.name}': ${(err as Error).stack ?? err}`);
                }
            }
        }
        return { diagnostics, notApplicable };
    }

    /** The whole run: resource policies on every resource, then stack policies once. */
    async analyze(resources: readonly EngineResource[]): Promise<PackReport> {
        const diagnostics: Diagnostic[] = [];
        const notApplicable: NotApplicable[] = [];
        for (const resource of resources) {
            const result = await this.analyzeResource(resource, resources);
            diagnostics.push(...result.diagnostics);
            notApplicable.push(...result.notApplicable);
        }
        const stack = await this.analyzeStack(resources);
        diagnostics.push(...stack.diagnostics);
        notApplicable.push(...stack.notApplicable);
        return { policies: this.activePolicies.length, diagnostics, notApplicable };
    }
}

/**
 * Sentinels the engine sends for values that are unknown during preview (pulumi/pulumi
 * `sdk/go/common/resource/plugin/rpc.go`, mirrored by `@pulumi/policy`'s proxy). For tests and
 * preview simulations.
 */
export const unknownValues = {
    string: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    number: "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    boolean: "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    array: "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    object: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
} as const;
