/** File drop config: which partner file drops the stack has, and how their files are ingested. */
import { datasets as platformDatasets } from "../../runtime/datasets";
import { DatasetDefinition } from "../../runtime/datasets/types";
import { defaultManifestPrefix, defaultQuarantinePrefix } from "../../runtime/files/ingest";
import { FileFormat, fileFormats } from "../../runtime/files/types";
import { ConfigKey, ConfigReader } from "./reader";

export const fileDropKeys: readonly ConfigKey[] = [
    {
        name: "fileDrops",
        type: "array",
        default: [],
        example: '["store_inventory;formats=csv,jsonl"]',
        description:
            "Partner file drops, one entry each: `<name>` then optional `;dataset=<dataset>` (defaults to the name), `;formats=<csv,jsonl,parquet>` (defaults to csv) and `;maxFileMiB=<n>` (defaults to fileDropMaxFileMiB). Partners drop files under `incoming/<name>/` in the landing bucket.",
    },
    { name: "fileDropMaxFileMiB", type: "integer", default: 256, example: "512", description: "Files larger than this (MiB) are handed from the file-ingest function to the Batch job (1 to 10240)." },
    { name: "fileDropChunkRows", type: "integer", default: 100000, example: "50000", description: "Rows per landed raw/rejects object (1000 to 10000000). Part of every key: change it only for new files." },
    { name: "fileDropMemoryMb", type: "integer", default: 1024, example: "2048", description: "Memory of each file-ingest function in MB (256 to 10240)." },
    { name: "fileDropTimeoutSeconds", type: "integer", default: 900, example: "600", description: "Timeout of each file-ingest function in seconds (60 to 900)." },
    { name: "fileDropReservedConcurrency", type: "integer", default: 5, example: "10", description: "Reserved concurrency of each file-ingest function (1 to 1000)." },
    { name: "fileDropProcessedExpirationDays", type: "integer", default: 30, example: "90", description: "Days a processed file is kept in the landing bucket after its rows landed (1 to 3650)." },
    {
        name: "fileDropDraftPrefix",
        type: "string",
        default: "",
        example: "drafts/",
        description:
            "Landing-bucket prefix for partner files whose schema is not yet a dataset (one folder per partner under it). Set: a Glue crawler catalogs each folder as a table of the `<project>_<stack>_drafts` database, logging schema changes rather than rewriting tables (`npm run draft-dataset` turns one into a draft definition). Defaults to none (no crawler).",
    },
    { name: "fileDropDraftSchedule", type: "string", default: "", example: "cron(0 3 * * ? *)", description: "When the drafts crawler runs: a Glue cron(...) expression in UTC. Defaults to none (started on demand with aws glue start-crawler)." },
    { name: "fileDropQuarantineExpirationDays", type: "integer", default: 90, example: "180", description: "Days quarantined copies and their reasons are kept (1 to 3650)." },
];

/** One drop: its name, dataset, where partners put files and what they may send. */
export interface FileDropConfig {
    readonly name: string;
    readonly dataset: string;
    /** `incoming/<name>/`: the key prefix the drop's EventBridge rule matches. */
    readonly prefix: string;
    readonly formats: readonly FileFormat[];
    readonly maxFileMiB: number;
}

/** The drafts crawler: the landing prefix it catalogs and, if scheduled, its cron expression. */
export interface DraftCrawlerConfig {
    readonly prefix: string;
    readonly schedule?: string;
}

export interface FileDropsConfig {
    readonly drops: readonly FileDropConfig[];
    /** Partner files whose schema is not yet a dataset, cataloged by a crawler. Absent: no crawler. */
    readonly drafts?: DraftCrawlerConfig;
    readonly chunkRows: number;
    readonly memoryMb: number;
    readonly timeoutSeconds: number;
    readonly reservedConcurrency: number;
    readonly processedExpirationDays: number;
    readonly quarantineExpirationDays: number;
}

const namePattern = /^[a-z][a-z0-9_]{0,40}$/;

/** Where partners drop files: one folder per drop under it. */
const incomingPrefix = "incoming/";

/** Where partners drop a drop's files. */
export function dropPrefix(name: string): string {
    return `${incomingPrefix}${name}/`;
}

export function parseFileDrops(reader: ConfigReader, available: readonly DatasetDefinition[] = platformDatasets): FileDropsConfig {
    const defaultMaxFileMiB = reader.range("fileDropMaxFileMiB", 1, 10240);
    const drops: FileDropConfig[] = [];
    const entries = reader.list("fileDrops");
    const example = "pulumi config set --path 'platform:fileDrops[0]' 'store_inventory;formats=csv'";
    for (const entry of entries) {
        const [rawName = "", ...options] = entry.split(";").map((part) => part.trim());
        const where = `entry "${entry}": `;
        if (!namePattern.test(rawName)) {
            reader.fail("fileDrops", `${where}a drop name in lower snake case (letter first, up to 41 characters)`, rawName, example);
            continue;
        }
        if (drops.some((drop) => drop.name === rawName)) {
            reader.fail("fileDrops", `${where}each drop name once`, rawName, "remove the repeated entry or rename one drop");
            continue;
        }
        let dataset = rawName;
        let formats: FileFormat[] = ["csv"];
        let maxFileMiB = defaultMaxFileMiB;
        let valid = true;
        for (const option of options) {
            const [key = "", value = ""] = option.split("=").map((part) => part.trim());
            if (key === "dataset") {
                dataset = value;
            } else if (key === "formats") {
                const list = value.split(",").map((f) => f.trim().toLowerCase());
                const unknown = list.filter((f) => !(fileFormats as readonly string[]).includes(f));
                if (list.length === 0 || unknown.length > 0) {
                    reader.fail("fileDrops", `${where}formats from ${fileFormats.join(", ")}`, value, `write ;formats=csv or ;formats=csv,jsonl,parquet`);
                    valid = false;
                }
                formats = [...new Set(list)] as FileFormat[];
            } else if (key === "maxFileMiB") {
                const mib = /^\d+$/.test(value) ? Number(value) : NaN;
                if (!Number.isSafeInteger(mib) || mib < 1 || mib > 10240) {
                    reader.fail("fileDrops", `${where}maxFileMiB as an integer from 1 to 10240`, value, "write ;maxFileMiB=256, or leave it out to use fileDropMaxFileMiB");
                    valid = false;
                }
                maxFileMiB = mib;
            } else {
                reader.fail("fileDrops", `${where}options dataset, formats or maxFileMiB`, option, `remove ';${option}' or correct its name`);
                valid = false;
            }
        }
        const definition = available.find((d) => d.name === dataset);
        if (!definition) {
            reader.fail("fileDrops", `${where}a dataset from ${available.map((d) => d.name).join(", ")}`, dataset, `write ;dataset=<one of them>, or add the dataset to runtime/datasets`);
            valid = false;
        } else if ((definition.source ?? "stream") !== "file") {
            reader.fail("fileDrops", `${where}a dataset whose source is "file"`, `${dataset} (source ${definition.source ?? "stream"})`, `set source: "file" in the dataset's definition, or drop a file dataset`);
            valid = false;
        }
        if (valid) {
            drops.push({ name: rawName, dataset, prefix: dropPrefix(rawName), formats, maxFileMiB });
        }
    }
    const drafts = parseDrafts(reader);
    return {
        drops,
        ...(drafts ? { drafts } : {}),
        chunkRows: reader.range("fileDropChunkRows", 1000, 10_000_000),
        memoryMb: reader.range("fileDropMemoryMb", 256, 10240),
        timeoutSeconds: reader.range("fileDropTimeoutSeconds", 60, 900),
        reservedConcurrency: reader.range("fileDropReservedConcurrency", 1, 1000),
        processedExpirationDays: reader.range("fileDropProcessedExpirationDays", 1, 3650),
        quarantineExpirationDays: reader.range("fileDropQuarantineExpirationDays", 1, 3650),
    };
}

/** Prefixes of the landing bucket the drafts prefix may not share: the drops' and what file ingest writes. */
const reservedLandingPrefixes = [incomingPrefix, defaultManifestPrefix, defaultQuarantinePrefix];

function parseDrafts(reader: ConfigReader): DraftCrawlerConfig | undefined {
    const prefix = reader.str("fileDropDraftPrefix");
    const schedule = reader.str("fileDropDraftSchedule");
    if (prefix === "") {
        if (schedule !== "") {
            reader.fail("fileDropDraftSchedule", "no schedule while fileDropDraftPrefix is unset (there is no crawler to run)", schedule, "pulumi config set platform:fileDropDraftPrefix drafts/ (or remove fileDropDraftSchedule)");
        }
        return undefined;
    }
    if (!/^[a-z0-9][a-z0-9_\-/]*\/$/.test(prefix) || prefix.includes("//")) {
        reader.fail("fileDropDraftPrefix", "a landing-bucket key prefix of lower-case letters, digits, _ and -, ending in /", prefix, "pulumi config set platform:fileDropDraftPrefix drafts/");
        return undefined;
    }
    const clash = reservedLandingPrefixes.find((reserved) => prefix.startsWith(reserved) || reserved.startsWith(prefix));
    if (clash) {
        reader.fail("fileDropDraftPrefix", `a prefix apart from ${clash} (the file drops and file ingest use it)`, prefix, "pulumi config set platform:fileDropDraftPrefix drafts/");
        return undefined;
    }
    if (schedule !== "" && !/^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/.test(schedule)) {
        reader.fail("fileDropDraftSchedule", "a Glue cron expression with six fields, such as cron(0 3 * * ? *), or nothing for on demand", schedule, "pulumi config set platform:fileDropDraftSchedule 'cron(0 3 * * ? *)'");
    }
    return { prefix, ...(schedule !== "" ? { schedule } : {}) };
}
