import { CostInput } from "./model";

/**
 * Adapters from the documents the project produces to the estimator's input: the offline run
 * (tools/offline/program.ts), the `npm run plan -- --json` document, and CrossGuard resources.
 */

/** The subset of `OfflineRun` the cost model reads (kept structural so policies need not import tools/). */
export interface OfflineRunLike {
    readonly stack: string;
    readonly config: Readonly<Record<string, string>>;
    readonly resources: readonly { urn: string; type: string; name: string; parent?: string; provider?: string; inputs: Record<string, unknown> }[];
}

export function inputsFromRun(run: OfflineRunLike): CostInput[] {
    return run.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent, provider: r.provider, inputs: r.inputs }));
}

/** The `--json` document of `npm run plan` (and the reference-design fixture, which has the same shape). */
export interface PlanDocumentLike {
    readonly stack: string;
    readonly resources: readonly { urn: string; type: string; name: string; parent?: string; inputs: Record<string, unknown> }[];
}

export function parsePlanDocument(value: unknown, source: string): PlanDocumentLike {
    const doc = value as Partial<PlanDocumentLike> | null;
    if (!doc || typeof doc !== "object" || typeof doc.stack !== "string" || !Array.isArray(doc.resources)) {
        throw new Error(`${source}: expected a plan document { "stack": string, "resources": [...] } as written by npm run plan -- --json; found ${doc === null ? "null" : typeof doc === "object" ? `an object with keys ${Object.keys(doc).join(", ")}` : typeof doc}`);
    }
    doc.resources.forEach((r, i) => {
        if (!r || typeof r.urn !== "string" || typeof r.type !== "string" || typeof r.name !== "string") {
            throw new Error(`${source}: resources[${i}]: expected urn, type and name strings`);
        }
    });
    return doc as PlanDocumentLike;
}

export function inputsFromPlan(doc: PlanDocumentLike): CostInput[] {
    return doc.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent, inputs: r.inputs ?? {} }));
}

/** The shape of `@pulumi/policy`'s PolicyResource the model reads (props are the resource's outputs, or inputs in a preview). */
export interface PolicyResourceLike {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly props: Record<string, unknown>;
    readonly parent?: { readonly urn: string };
    readonly provider?: { readonly urn: string; readonly type: string; readonly name: string; readonly props: Record<string, unknown> };
}

/** CrossGuard resources, plus the provider resources they reference (so their region is known). */
export function inputsFromPolicyResources(resources: readonly PolicyResourceLike[]): CostInput[] {
    const out: CostInput[] = resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent?.urn, provider: r.provider?.urn, inputs: r.props }));
    const seen = new Set(out.map((r) => r.urn));
    for (const r of resources) {
        const p = r.provider;
        if (p && !seen.has(p.urn)) {
            seen.add(p.urn);
            out.push({ urn: p.urn, type: p.type, name: p.name, inputs: p.props });
        }
    }
    return out;
}

/** The stack name in a URN (`urn:pulumi:<stack>::<project>::...`). */
export function stackOfUrn(urn: string): string | undefined {
    return /^urn:pulumi:([^:]+)::/.exec(urn)?.[1];
}
