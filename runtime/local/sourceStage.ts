import type { LineageEmitter } from "../lineage";
import type { S3Client } from "@aws-sdk/client-s3";
import { DatasetDefinition, DatasetSource } from "../datasets";
import { LakeBuckets } from "./lake";
import { LocalSettings } from "./settings";
import { LocalWindow } from "./sources";
import { LocalSourceCounts } from "./summary";

/**
 * The one shape every kind of source takes in `npm run local` (runtime/local/run.ts composes them):
 * a stage that makes its source produce the window's records (a producer, an HTTP API, a partner
 * dropping files, a database workload), runs the platform's own landing code for that kind
 * (the ingest function, the API connector, the file-ingest function, capture and landing of
 * change files), and reports what is in the lake afterwards, counted from the objects.
 *
 * A stage reads only what it needs from a handler's answer (counts, status); anything else a
 * handler adds later (lineage events, more telemetry) passes through untouched.
 */

export interface LocalSourceContext {
    readonly settings: LocalSettings;
    readonly s3: S3Client;
    readonly buckets: LakeBuckets;
    readonly window: LocalWindow;
    /** The run's `--seed`; each stage derives its own data from it and the window. */
    readonly seed: number;
    readonly log: (text: string) => void;
    readonly onProgress?: (stage: string, done: number, total: number) => void;
    /** Where every stage's OpenLineage events go (`lineage/` of the raw bucket on moto); `lineageEnv` names it for handlers that read LINEAGE_*. */
    readonly lineage: LineageEmitter;
    readonly lineageEnv: Readonly<Record<string, string>>;
    /** Runs one step of the stage as a timed stage of the summary (its name, seconds and detail line). */
    readonly step: <T>(name: string, work: () => Promise<{ readonly value: T; readonly detail: string }>) => Promise<T>;
}

/** What a source put in the lake for the window. */
export interface LocalLanding {
    /** Per source feeding the dataset: records it produced, landed in raw, rejected. */
    readonly sources: readonly LocalSourceCounts[];
    readonly rejectedByErrorType: Readonly<Record<string, number>>;
}

export interface LocalSourceStage<TLanding extends LocalLanding = LocalLanding> {
    readonly kind: DatasetSource;
    readonly dataset: DatasetDefinition;
    /** Produces the window's records at the source and lands them with the platform's code. */
    land(context: LocalSourceContext): Promise<TLanding>;
}

/** Adds up rejects by error type over several count maps, sorted by type. */
export function mergeCounts(maps: readonly Readonly<Record<string, number>>[]): Record<string, number> {
    const merged: Record<string, number> = {};
    for (const map of maps) {
        for (const [key, value] of Object.entries(map)) {
            merged[key] = (merged[key] ?? 0) + value;
        }
    }
    return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
}

export function plural(count: number, word: string): string {
    return `${count.toLocaleString("en-US")} ${word}${count === 1 ? "" : /(s|sh|ch|x)$/.test(word) ? "es" : "s"}`;
}

/**
 * A generator seed for one dataset's source in one window: the run's --seed mixed with the date
 * and a label (FNV-1a, 32 bits), so windows and sources never share data.
 */
export function windowSeed(seed: number, date: string, label: string): number {
    let hash = 0x811c9dc5;
    for (const byte of Buffer.from(`${seed}/${date}/${label}`, "utf8")) {
        hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
    }
    return hash;
}
