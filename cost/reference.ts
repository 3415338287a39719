import { estimateCost, EstimateOptions } from "./estimate";
import { CostInput, CostReport } from "./model";
import { inputsFromPlan, parsePlanDocument, PlanDocumentLike } from "./adapters";

/**
 * A reference design: a plan document whose resources replace, in a real stack, every resource of
 * the types it lists. Priced with the same rules, prices and usage as the stack, so the ratio
 * compares designs, not assumptions.
 */
export interface ReferenceDesign extends PlanDocumentLike {
    readonly description: string;
    readonly replacesTypes: readonly string[];
}

export function parseReferenceDesign(value: unknown, source: string): ReferenceDesign {
    const plan = parsePlanDocument(value, source);
    const doc = value as Partial<ReferenceDesign>;
    if (!Array.isArray(doc.replacesTypes) || !doc.replacesTypes.every((t) => typeof t === "string")) {
        throw new Error(`${source}: expected "replacesTypes": a list of resource type tokens the design replaces`);
    }
    return { ...plan, description: String(doc.description ?? ""), replacesTypes: doc.replacesTypes };
}

/** The stack with the design's resources in place of the ones it replaces. */
export function withReferenceDesign(stack: readonly CostInput[], design: ReferenceDesign): CostInput[] {
    const replaced = new Set(design.replacesTypes);
    // The design's own provider only says where it is priced on its own; in the stack, the stack's providers apply.
    return [...stack.filter((r) => !replaced.has(r.type)), ...inputsFromPlan(design).filter((r) => !r.type.startsWith("pulumi:providers:"))];
}

export interface ReferenceComparison {
    readonly stack: CostReport;
    /** The design's own resources only. */
    readonly designOnly: CostReport;
    /** The stack with the design swapped in. */
    readonly reference: CostReport;
    /** stack total / reference total. */
    readonly ratio: number;
}

export function compareWithReference(stack: readonly CostInput[], design: ReferenceDesign, options: EstimateOptions): ReferenceComparison {
    const stackReport = estimateCost(stack, options);
    const reference = estimateCost(withReferenceDesign(stack, design), { ...options, stack: `${options.stack} with ${design.stack} design` });
    const designOnly = estimateCost(inputsFromPlan(design), { ...options, stack: design.stack });
    return { stack: stackReport, designOnly, reference, ratio: stackReport.monthly.total / reference.monthly.total };
}
