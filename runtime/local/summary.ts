/**
 * What one `npm run local` run did, stage by stage: the document `npm run local -- --json` prints
 * and the HTML report renders. Every count is measured from what the stage read or wrote (objects
 * in the lake, rows in the warehouse), never copied from what the previous stage said it sent.
 */

/** A local service the run used, and whether this run started it (only those are stopped by `--down`). */
export interface LocalServiceUse {
    readonly name: "moto" | "kafka" | "postgres";
    /** Where it listens, e.g. `http://127.0.0.1:5055` or `127.0.0.1:9092`. */
    readonly endpoint: string;
    readonly startedByThisRun: boolean;
}

/** One stage of the flow, in the order it ran. */
export interface LocalStage {
    /** `produce`, `ingest`, `transform`, `load`, `quality`, `query` for orders; `<dataset>: <step>` for the others. */
    readonly name: string;
    readonly seconds: number;
    /** Short text for humans, e.g. "10,000 records to orders (msk) and 1,000 to orders (kinesis)". */
    readonly detail: string;
}

/** One source that fed the lake in this run. */
export interface LocalSourceCounts {
    /** e.g. `orders via msk`, `fx_rates via api`, `store_inventory via file <name>`, `customers via cdc (public.customers)`. */
    readonly name: string;
    readonly produced: number;
    readonly landed: number;
    readonly rejected: number;
}

export interface LocalQualityResult {
    readonly check: string;
    readonly passed: boolean;
    /** What the check measured and what it expected, as text, e.g. "0 null order_id (expected 0)". */
    readonly detail: string;
}

/** One equation or comparison a dataset's figures must satisfy, with the figures it compared. */
export interface LocalInvariant {
    /** e.g. "produced = landed + rejected", "warehouse = source table, row by row". */
    readonly name: string;
    readonly holds: boolean;
    /** The figures, e.g. "1,150 = 1,093 + 57". */
    readonly detail: string;
}

/** What the run did for one dataset, from its source to the warehouse. */
/** One dataset's flow through the local platform, from its source to the warehouse. */
export interface LocalCounts {
    /** Records the source produced (messages, API records, file rows, captured change rows). */
    readonly produced: number;
    /** Records in the raw zone for the window. */
    readonly landed: number;
    readonly rejected: number;
    readonly rejectedByErrorType: Readonly<Record<string, number>>;
    /** Rows of the curated table for the window (change data capture: the current state). */
    readonly curated: number;
    /** Rows the Spark job dropped (failing its rules) and de-duplicated (none for change data capture, which applies every change). */
    readonly dropped: number;
    readonly duplicates: number;
    /** Rows in the warehouse table (for the window, or all of a change-data-capture table). */
    readonly loaded: number;
}

export interface LocalDatasetRun {
    readonly dataset: string;
    /** The kind of source that fed it (the definition's `source`). */
    readonly source: "stream" | "api" | "file" | "database";
    readonly sources: readonly LocalSourceCounts[];
    readonly counts: LocalCounts;
    readonly invariants: readonly LocalInvariant[];
    readonly quality: readonly LocalQualityResult[];
}

export interface LocalLineageSummary {
    /** Events read back from the lineage prefix, and how many failed to be delivered in this run. */
    readonly events: number;
    readonly emitFailures: number;
    readonly jobs: readonly string[];
    readonly datasets: readonly string[];
    readonly edges: readonly { readonly from: string; readonly to: string }[];
    readonly sources: readonly { readonly dataset: string; readonly kind: string; readonly reaches: readonly string[] }[];
    readonly warehouseTables: readonly string[];
    readonly unreachedTables: readonly string[];
    readonly strandedSources: readonly string[];
}

export interface LocalRunSummary {
    /** True when every stage ran and every invariant below held, for every dataset. */
    readonly ok: boolean;
    /** The dataset the top-level counts, quality and query describe (orders, the one the others feed). */
    readonly dataset: string;
    /** Every dataset of the run, in the order it ran (the ones orders joins first). */
    readonly datasets: readonly LocalDatasetRun[];
    /** The event-time window carried from the lake to the warehouse, UTC ISO dates (inclusive). */
    readonly window: { readonly from: string; readonly to: string };
    readonly services: readonly LocalServiceUse[];
    readonly stages: readonly LocalStage[];
    readonly sources: readonly LocalSourceCounts[];
    /** The counts of the dataset named above (orders), as in its entry of `datasets`. */
    readonly counts: LocalCounts;
    readonly quality: readonly LocalQualityResult[];
    /** The final warehouse query (sales per region and day). */
    readonly query: {
        readonly sql: string;
        readonly rows: readonly { readonly region: string; readonly day: string; readonly orders: number; readonly sales: number }[];
    };
    /**
     * The OpenLineage graph every stage reported to `lineage/` of the raw bucket, as it stands after
     * the run (events of earlier runs included): jobs, datasets, edges, and which warehouse tables
     * each source reaches.
     */
    readonly lineage: LocalLineageSummary;
    /** What a second run over the same data changed (the data prefixes; lineage events are not data): zero objects and zero rows when exactly-once holds. */
    readonly changedSincePreviousRun?: { readonly objects: number; readonly rows: number };
    /** Where the HTML report was written. */
    readonly report?: string;
}
