import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { EnforcementLevel, Policies } from "@pulumi/policy";
import { mockResourceState } from "../../tools/offline/mocks";
import { OfflineRun, projectRoot, RecordedResource } from "../../tools/offline/program";
import { Diagnostic, EngineResource, PackConfigFile, PolicyEngine } from "./engine";

/**
 * The policy pack run against the offline plan of a stack (`runOffline`): what `pulumi preview
 * --policy-pack policies --policy-pack-config policies/config/<stack>.json` would report, without
 * credentials. Resource policies see each recorded resource's inputs; stack policies see each
 * resource's outputs as the Pulumi mocks answered them (the recorded inputs plus the ARNs, IDs
 * and names the mocks compute).
 */

export const packDirectory = path.join(projectRoot, "policies");

/** The `--policy-pack-config` file of a stack, `policies/config/<stack>.json`. */
export function packConfigPath(stack: string): string {
    return path.join(packDirectory, "config", `${stack}.json`);
}

export function loadPackConfig(stack: string): PackConfigFile | undefined {
    const file = packConfigPath(stack);
    if (!fs.existsSync(file)) {
        return undefined;
    }
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as PackConfigFile;
    } catch (err) {
        throw new Error(`${path.relative(projectRoot, file)}: not valid JSON (${(err as Error).message}). Fix the file; it is the stack's --policy-pack-config.`);
    }
}

/** Stack tags the engine sends for a project on the local backend (`pulumi:project`, `pulumi:runtime`, `pulumi:description`). */
export function stackTagsFor(root = projectRoot): Record<string, string> {
    const doc = (yaml.load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) ?? {}) as { name?: string; runtime?: string | { name?: string }; description?: string };
    const runtime = typeof doc.runtime === "string" ? doc.runtime : doc.runtime?.name;
    const tags: Record<string, string> = {};
    if (doc.name) {
        tags["pulumi:project"] = doc.name;
    }
    if (runtime) {
        tags["pulumi:runtime"] = runtime;
    }
    if (doc.description) {
        tags["pulumi:description"] = doc.description;
    }
    return tags;
}

/** A provider reference (`<urn>::<id>`) to the provider's URN. */
function providerUrn(reference: string | undefined): string | undefined {
    if (!reference) {
        return undefined;
    }
    const cut = reference.lastIndexOf("::");
    return cut > 0 ? reference.slice(0, cut) : reference;
}

/**
 * A recorded resource's outputs, as the mocks answered its registration: providers echo their
 * inputs, the program's own components have no outputs beyond their inputs, every other resource
 * (custom resources and remote components such as awsx:ec2:Vpc) gets the mock's state plus its ID.
 */
function outputsOf(resource: RecordedResource, run: OfflineRun, localComponents: ReadonlySet<string>): Record<string, unknown> {
    if (resource.type.startsWith("pulumi:providers:") || (!resource.custom && localComponents.has(resource.type.split(":")[0]))) {
        return { ...resource.inputs };
    }
    const region = run.config["aws:region"] ?? "us-east-1";
    const azs = Number(run.config["platform:availabilityZones"] ?? "2") || 2;
    const { id, state } = mockResourceState({ type: resource.type, name: resource.name, inputs: resource.inputs, custom: resource.custom, provider: resource.provider ?? "" }, region, azs);
    return { id, ...state };
}

/** The offline plan's resources in the shape the engine hands to the analyzer. */
export function engineResources(run: OfflineRun): EngineResource[] {
    const parents = new Set(run.resources.map((r) => r.parent).filter(Boolean));
    // Packages of the program's own components: components that have children here. A remote
    // component (awsx) is one childless resource under mocks and answers with outputs.
    const localComponents = new Set(run.resources.filter((r) => !r.custom && parents.has(r.urn)).map((r) => r.type.split(":")[0]));
    return run.resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: r.custom,
        inputs: r.inputs,
        outputs: outputsOf(r, run, localComponents),
        protect: r.protect,
        ignoreChanges: r.ignoreChanges,
        parent: r.parent,
        dependencies: r.dependencies,
        provider: providerUrn(r.provider),
    }));
}

export interface Violation {
    readonly policy: string;
    readonly level: "mandatory" | "advisory";
    /** The resource blamed, or undefined for the whole stack. */
    readonly urn?: string;
    readonly message: string;
}

export interface PolicyRunResult {
    readonly stack: string;
    /** Policies that ran (enabled in the stack's pack config). */
    readonly policies: number;
    readonly resources: number;
    readonly violations: Violation[];
    readonly mandatory: number;
    readonly advisory: number;
}

export interface CheckOptions {
    /** The pack config; defaults to `policies/config/<stack>.json`. */
    readonly config?: PackConfigFile;
    /** The policies; defaults to the whole pack. */
    readonly policies?: Policies;
    readonly packEnforcementLevel?: EnforcementLevel;
}

function toViolation(d: Diagnostic): Violation {
    return { policy: d.policy, level: d.level, ...(d.urn ? { urn: d.urn } : {}), message: d.message };
}

/** Runs the policy pack against an offline run of a stack. */
export async function checkOfflineRun(run: OfflineRun, options: CheckOptions = {}): Promise<PolicyRunResult> {
    return checkEngineResources(run.stack, engineResources(run), options);
}

/** Runs the policy pack against resources in the engine's shape (an offline run's, possibly altered). */
export async function checkEngineResources(stack: string, resources: readonly EngineResource[], options: CheckOptions = {}): Promise<PolicyRunResult> {
    // Loaded lazily: the pack's modules import the whole AWS SDK and the budget policy's cost model.
    const pack = options.policies ? undefined : await import("../pack");
    const engine = new PolicyEngine(options.policies ?? pack!.policies, {
        config: options.config ?? loadPackConfig(stack),
        packEnforcementLevel: options.packEnforcementLevel ?? pack?.packEnforcementLevel ?? "advisory",
        stackTags: stackTagsFor(),
    });
    const report = await engine.analyze(resources);
    const violations = report.diagnostics
        .map(toViolation)
        .sort((a, b) => b.level.localeCompare(a.level) || a.policy.localeCompare(b.policy) || (a.urn ?? "").localeCompare(b.urn ?? "") || a.message.localeCompare(b.message));
    return {
        stack,
        policies: report.policies,
        resources: resources.length,
        violations,
        mandatory: violations.filter((v) => v.level === "mandatory").length,
        advisory: violations.filter((v) => v.level === "advisory").length,
    };
}

/** The verdict for `npm run plan`: violation counts per level and how many policies ran. */
export async function policySummary(run: OfflineRun): Promise<{ mandatory: number; advisory: number; policies: number }> {
    const result = await checkOfflineRun(run);
    return { mandatory: result.mandatory, advisory: result.advisory, policies: result.policies };
}
