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
    "platform:firehose:FirehoseDelivery": "ingest",
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

/** The component type that declared a resource: the first type of its URN's type chain. */
function componentOf(urn: string): string {
    return (urn.split("::")[2] ?? "").split("$")[0] as string;
}

export function stageOf(urn: string): Stage {
    return stageOfComponent[componentOf(urn)] ?? "platform";
}

/** Records a month at a steady rate: the rate × the month's seconds. */
export function recordsPerMonthAt(recordsPerSecond: number, hoursPerMonth: number): number {
    return recordsPerSecond * hoursPerMonth * 3600;
}

export interface StageCost {
    readonly stage: Stage;
    readonly monthly: number;
    /** Monthly cost / millions of records a month. */
    readonly perMillionRecords: number;
}

/** One way of delivering the stream's records into the raw zone, priced for the month. */
export interface DeliveryCost {
    readonly monthly: number;
    readonly perMillionRecords: number;
}

/**
 * The ingest stage's delivery (what the ingest component declares: function, event source mapping,
 * logs, queue; not the stream or brokers it reads, nor alarms, which each path has) beside Amazon
 * Data Firehose delivering the same records into the raw zone, priced by the same Firehose rule.
 */
export interface DeliveryComparison {
    readonly ingestFunction: DeliveryCost;
    readonly firehose: DeliveryCost;
    /** What the Firehose figure assumes (record size, partitions, transformation time). */
    readonly firehoseAssumes: string;
}

export interface PerMillion {
    readonly recordsPerSecond: number;
    /** recordsPerSecond × the month's seconds (730 hours). */
    readonly recordsPerMonth: number;
    readonly stages: readonly StageCost[];
    readonly totalPerMillionRecords: number;
    /** Present when the stack delivers with the ingest function. */
    readonly delivery?: DeliveryComparison;
}

/** Whether a URN belongs to the ingest function's component (`platform:ingest:Ingest`). */
export function isIngestDelivery(urn: string): boolean {
    return componentOf(urn) === "platform:ingest:Ingest";
}

/** The report's monthly cost per stage, and per million records of the workload the usage assumes. */
export function perMillionRecords(report: CostReport, recordsPerSecond: number, hoursPerMonth = 730, firehoseMonthly?: { readonly monthly: number; readonly assumes: string }): PerMillion {
    const recordsPerMonth = recordsPerMonthAt(recordsPerSecond, hoursPerMonth);
    const millions = recordsPerMonth / 1e6;
    const totals = new Map<Stage, number>(stageOrder.map((s) => [s, 0]));
    for (const r of report.resources) {
        const stage = stageOf(r.urn);
        totals.set(stage, totals.get(stage)! + r.monthly);
    }
    const stages = stageOrder.map((stage) => ({ stage, monthly: money(totals.get(stage)!), perMillionRecords: money(totals.get(stage)! / millions) }));
    // Alarms are left out on both sides: each path has its own handful.
    const ingestFunction = report.resources.filter((r) => isIngestDelivery(r.urn) && r.type !== "aws:cloudwatch/metricAlarm:MetricAlarm").reduce((sum, r) => sum + r.monthly, 0);
    const delivery: DeliveryComparison | undefined =
        firehoseMonthly === undefined
            ? undefined
            : {
                  ingestFunction: { monthly: money(ingestFunction), perMillionRecords: money(ingestFunction / millions) },
                  firehose: { monthly: money(firehoseMonthly.monthly), perMillionRecords: money(firehoseMonthly.monthly / millions) },
                  firehoseAssumes: firehoseMonthly.assumes,
              };
    return { recordsPerSecond, recordsPerMonth, stages, totalPerMillionRecords: money(report.monthly.total / millions), ...(delivery ? { delivery } : {}) };
}
