import { Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { Resource, Unwrap } from "@pulumi/pulumi";
import { EngineResource, PackConfigFile, PolicyEngine, unknownValues } from "../../../policies/runner/engine";

/**
 * Builds policy arguments the way the engine does (through the same runner the offline check
 * uses): props wrapped in `unknownCheckingProxy`, options, the provider resource, stack tags,
 * `getConfig` with schema defaults plus the given config, `notApplicable`. Fixtures are typed
 * against the resource's args (`Unwrap<Args>`), so a fixture that does not compile is a fixture
 * the program could not declare.
 */

export const testStack = "test";
export const testProject = "platform";

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:${testStack}::${testProject}::${type}::${name}`;
}

/** The cost tags the platform sets through its provider's defaultTags. */
export function platformTags(environment: string): Record<string, string> {
    return { environment, owner: "data-platform", "cost-center": "analytics", project: testProject, stack: environment };
}

/** An AWS provider resource as the engine sees it: `defaultTags` is JSON text, as the AWS SDK sends it. */
export function awsProvider(name = "aws", tags: Record<string, string> | null = platformTags("prod")): EngineResource {
    const inputs: Record<string, unknown> = { region: "us-east-1", skipCredentialsValidation: "false", skipRegionValidation: "true" };
    if (tags) {
        inputs.defaultTags = JSON.stringify({ tags });
    }
    return { urn: urnOf("pulumi:providers:aws", name), type: "pulumi:providers:aws", name, custom: true, inputs, outputs: inputs, protect: false, dependencies: [] };
}

export const prodProvider = awsProvider("aws", platformTags("prod"));
export const devProvider = awsProvider("aws-dev", platformTags("dev"));

export interface FixtureOptions {
    /** Output properties added to the inputs (ARNs, IDs, names the provider computes). */
    readonly outputs?: Record<string, unknown>;
    readonly protect?: boolean;
    /** Defaults to the prod provider; `null` for none. */
    readonly provider?: EngineResource | null;
    readonly dependsOn?: readonly EngineResource[];
    readonly parent?: EngineResource;
    readonly propertyDependencies?: Record<string, readonly EngineResource[]>;
}

/** The plain (unwrapped) props of a resource's args, for typed fixtures. */
export type PropsOf<TArgs> = Unwrap<NonNullable<TArgs>>;

type ResourceClass<TArgs> = { new (name: string, args: TArgs, ...rest: any[]): Resource };

/** A resource of `cls` with typed props (its inputs; its outputs are the inputs plus `options.outputs`). */
export function fixture<TArgs>(cls: ResourceClass<TArgs>, name: string, props: Unwrap<NonNullable<TArgs>>, options: FixtureOptions = {}): EngineResource {
    const type = (cls as unknown as { __pulumiType: string }).__pulumiType;
    return raw(type, name, props as Record<string, unknown>, options);
}

/** A resource by type token, for types without an SDK class here (awsx components). */
export function raw(type: string, name: string, props: Record<string, unknown>, options: FixtureOptions = {}): EngineResource {
    const provider = options.provider === undefined ? prodProvider : options.provider;
    return {
        urn: urnOf(type, name),
        type,
        name,
        custom: !type.startsWith("awsx:"),
        inputs: props,
        outputs: { ...props, ...(options.outputs ?? {}) },
        protect: options.protect ?? false,
        parent: options.parent?.urn,
        dependencies: (options.dependsOn ?? []).map((r) => r.urn),
        propertyDependencies: Object.fromEntries(Object.entries(options.propertyDependencies ?? {}).map(([k, v]) => [k, v.map((r) => r.urn)])),
        provider: provider ? provider.urn : undefined,
    };
}

/** Sentinels for values that are unknown during preview, typed to fit any fixture field. */
export const unknown = {
    string: unknownValues.string as string,
    number: unknownValues.number as unknown as number,
    boolean: unknownValues.boolean as unknown as boolean,
    array: unknownValues.array as unknown as any[],
    object: unknownValues.object as unknown as any,
};

export interface Outcome {
    /** Reported violation messages. */
    readonly violations: string[];
    /** "can't run during preview" diagnostics. */
    readonly unknown: string[];
    readonly notApplicable: string[];
}

function engineFor(policy: Policy, config?: Record<string, unknown>): PolicyEngine {
    const file: PackConfigFile = { [policy.name]: { enforcementLevel: "mandatory", ...(config ?? {}) } };
    return new PolicyEngine([policy as ResourceValidationPolicy | StackValidationPolicy], { config: file, stackTags: { "pulumi:project": testProject } });
}

/** Runs one resource policy on a resource, the providers it uses being available. */
export async function checkResource(policy: Policy, resource: EngineResource, config?: Record<string, unknown>): Promise<Outcome> {
    const all = [resource, prodProvider, devProvider, ...extraProviders];
    const result = await engineFor(policy, config).analyzeResource(resource, all);
    return outcome(result.diagnostics, result.notApplicable.map((n) => n.reason ?? ""));
}

/** Runs one stack policy on resources (the providers they use are added). */
export async function checkStack(policy: Policy, resources: readonly EngineResource[], config?: Record<string, unknown>): Promise<Outcome> {
    const providers = [prodProvider, devProvider, ...extraProviders].filter((p) => !resources.some((r) => r.urn === p.urn));
    const result = await engineFor(policy, config).analyzeStack([...providers, ...resources]);
    return outcome(result.diagnostics, result.notApplicable.map((n) => n.reason ?? ""));
}

const extraProviders: EngineResource[] = [];

/** Makes a provider available to the check helpers (e.g. one without default tags). */
export function registerProvider(provider: EngineResource): EngineResource {
    if (!extraProviders.some((p) => p.urn === provider.urn)) {
        extraProviders.push(provider);
    }
    return provider;
}

function outcome(diagnostics: { kind: string; message: string }[], notApplicable: string[]): Outcome {
    return {
        violations: diagnostics.filter((d) => d.kind === "violation").map((d) => d.message),
        unknown: diagnostics.filter((d) => d.kind === "unknown").map((d) => d.message),
        notApplicable,
    };
}

/** A JSON policy document from statements. */
export function doc(...statements: object[]): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}
