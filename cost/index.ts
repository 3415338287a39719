/**
 * The cost model: prices (cost/prices/<region>.json), a rule per resource type (cost/rules/),
 * usage (cost/usage.<stack>.yaml). Used by `npm run cost`, `npm run plan` and the budget policy.
 */
import { estimateCost } from "./estimate";
import { CostReport, MonthlyTotals } from "./model";
import { inputsFromRun, OfflineRunLike } from "./adapters";
import { defaultUsagePath, loadUsageFile, UsageDocument } from "./usage";

export * from "./model";
export { estimateCost, EstimateOptions } from "./estimate";
export { loadPriceBook, knownRegions, PriceBook, UnknownRegionError, MissingPriceError } from "./prices";
export { defaultUsagePath, loadUsageFile, parseUsageDocument, usageFor, UsageDocument, UsageFileError, emptyUsage } from "./usage";
export { coverage, costRules, freeTypes } from "./rules";
export * from "./adapters";
export * from "./budget";

export interface RunUsage {
    /** A usage document, a file path, or "none"; defaults to cost/usage.<stack>.yaml when it exists. */
    readonly usage?: UsageDocument | string;
}

function resolveUsage(stack: string, usage: RunUsage["usage"]): { doc?: UsageDocument; source?: string } {
    if (usage === "none") return {};
    if (typeof usage === "string") return { doc: loadUsageFile(usage), source: usage };
    if (usage) return { doc: usage, source: "inline" };
    const file = defaultUsagePath(stack);
    return file ? { doc: loadUsageFile(file), source: file } : {};
}

/** Prices an offline run (`runOffline`) with the stack's usage file. */
export function estimateRun(run: OfflineRunLike, options: RunUsage = {}): CostReport {
    const { doc, source } = resolveUsage(run.stack, options.usage);
    return estimateCost(inputsFromRun(run), { stack: run.stack, region: run.config["aws:region"], usage: doc, usageSource: source });
}

export interface CostSummary extends MonthlyTotals {
    readonly currency: "USD";
    /** How many declared resources the model could not price (the total is then a lower bound). */
    readonly notPriced: number;
    readonly usageSource: string;
}

/** Monthly fixed, usage and total cost of an offline run, at the stack's default usage. */
export function costSummary(run: OfflineRunLike, options: RunUsage = {}): CostSummary {
    const report = estimateRun(run, options);
    return { currency: "USD", ...report.monthly, notPriced: report.notPriced.length, usageSource: report.usageSource };
}
