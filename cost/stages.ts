import { CostReport, money } from "./model";

/**
 * The bill per pipeline stage and per million records: which component declared a resource decides
 * its stage (the first type of its URN's type chain, e.g. `platform:ingest:Ingest`).
 */

export type Stage = "ingest" | "sources" | "transform" | "load" | "storage" | "platform";

/** Component types per stage; anything else (network, keys, observability, query, audit) is shared platform. */
const stageOfComponent: Readonly<Record<string, Stage>> = {
    "platform:streaming:Streaming": "ingest",
    "platform:ingest:Ingest": "ingest",
    "platform:connectors:ApiConnectors": "sources",
    "platform:filedrops:FileDrops": "sources",
    "platform:databases:Databases": "sources",
    "platform:transform:Transform": "transform",
    "platform:batch:Batch": "transform",
    "platform:orchestration:Orchestration": "transform",
    "platform:warehouse:Warehouse": "load",
    "platform:lake:Lake": "storage",
    "platform:catalog:Catalog": "storage",
};

export const stageOrder: readonly Stage[] = ["ingest", "sources", "transform", "load", "storage", "platform"];

export function stageOf(urn: string): Stage {
    const chain = urn.split("::")[2] ?? "";
    return stageOfComponent[chain.split("$")[0]] ?? "platform";
}

export interface StageCost {
    readonly stage: Stage;
    readonly monthly: number;
    /** Monthly cost / millions of records a month. */
    readonly perMillionRecords: number;
}

export interface PerMillion {
    readonly recordsPerSecond: number;
    /** recordsPerSecond × the month's seconds (730 hours). */
    readonly recordsPerMonth: number;
    readonly stages: readonly StageCost[];
    readonly totalPerMillionRecords: number;
}

/** The report's monthly cost per stage, and per million records of the workload the usage assumes. */
export function perMillionRecords(report: CostReport, recordsPerSecond: number, hoursPerMonth = 730): PerMillion {
    const recordsPerMonth = recordsPerSecond * hoursPerMonth * 3600;
    const millions = recordsPerMonth / 1e6;
    const totals = new Map<Stage, number>(stageOrder.map((s) => [s, 0]));
    for (const r of report.resources) {
        const stage = stageOf(r.urn);
        totals.set(stage, totals.get(stage)! + r.monthly);
    }
    const stages = stageOrder.map((stage) => ({ stage, monthly: money(totals.get(stage)!), perMillionRecords: money(totals.get(stage)! / millions) }));
    return { recordsPerSecond, recordsPerMonth, stages, totalPerMillionRecords: money(report.monthly.total / millions) };
}
