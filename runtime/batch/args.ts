import { datasets as platformDatasets, getDataset } from "../datasets";
import { DatasetDefinition } from "../datasets/types";
import { formatTimestamp, isIsoDate, parseTimestamp } from "../ingest/time";
import { RejectErrorType } from "../ingest/types";
import { defaultManifestPrefix, defaultQuarantinePrefix } from "../files/ingest";
import { parseFormats } from "../files/settings";
import { FileFormat } from "../files/types";
import { UsageError } from "./errors";
import { isRejectErrorType, rejectErrorTypes } from "./layout";

/**
 * The job's command line: `<command> [--flag value | --flag=value | --switch] ...`. Parsing is pure
 * and throws a `UsageError` naming the flag, what was expected, what was found and the fix.
 */

export interface ReplayCommand {
    readonly kind: "replay-rejects";
    readonly dataset: DatasetDefinition;
    /** Start of the first hour, epoch ms UTC (inclusive). */
    readonly fromMs: number;
    /** End of the range, epoch ms UTC (exclusive). */
    readonly toMs: number;
    readonly errorTypes: readonly RejectErrorType[];
    readonly includeUnknownTime: boolean;
    readonly dryRun: boolean;
}

export interface CompactCommand {
    readonly kind: "compact";
    readonly dataset: DatasetDefinition;
    readonly dt: string;
    readonly hour?: string;
    readonly targetBytes: number;
    readonly dryRun: boolean;
    readonly breakLease: boolean;
}

/** Ingests one file of a drop with no size limit: the function hands files too large for it to this command. */
export interface IngestFileCommand {
    readonly kind: "ingest-file";
    readonly dataset: DatasetDefinition;
    readonly drop: string;
    readonly formats: readonly FileFormat[];
    readonly chunkRows: number;
    readonly bucket: string;
    readonly key: string;
    readonly versionId?: string;
    readonly manifestPrefix: string;
    readonly quarantinePrefix: string;
}

export type BatchCommand = ReplayCommand | CompactCommand | IngestFileCommand | { readonly kind: "help" };

/** Defaults to 128 MiB. */
export const defaultTargetBytes = 134_217_728;
export const minTargetBytes = 1024;
/** 1 GiB: the output is built in memory before its single PutObject. */
export const maxTargetBytes = 1_073_741_824;
/** A replay covers at most this many hours (366 days); longer ranges are split into several jobs. */
export const maxReplayHours = 366 * 24;

interface FlagSpec {
    readonly name: string;
    readonly kind: "value" | "switch";
    readonly repeatable?: boolean;
    readonly required?: boolean;
}

const commands: Readonly<Record<"replay-rejects" | "compact" | "ingest-file", readonly FlagSpec[]>> = {
    "replay-rejects": [
        { name: "--dataset", kind: "value", required: true },
        { name: "--from", kind: "value", required: true },
        { name: "--to", kind: "value", required: true },
        { name: "--error-type", kind: "value", repeatable: true },
        { name: "--include-unknown-time", kind: "switch" },
        { name: "--dry-run", kind: "switch" },
    ],
    compact: [
        { name: "--dataset", kind: "value", required: true },
        { name: "--dt", kind: "value" },
        { name: "--day-before", kind: "value" },
        { name: "--hour", kind: "value" },
        { name: "--target-bytes", kind: "value" },
        { name: "--dry-run", kind: "switch" },
        { name: "--break-lease", kind: "switch" },
    ],
    "ingest-file": [
        { name: "--drop", kind: "value", required: true },
        { name: "--dataset", kind: "value", required: true },
        { name: "--formats", kind: "value", required: true },
        { name: "--chunk-rows", kind: "value", required: true },
        { name: "--bucket", kind: "value", required: true },
        { name: "--key", kind: "value", required: true },
        { name: "--version-id", kind: "value" },
        { name: "--manifest-prefix", kind: "value" },
        { name: "--quarantine-prefix", kind: "value" },
    ],
};

/** The text `--help` prints. */
export const usageText = `Usage: main.js <command> [flags]

Commands:
  replay-rejects  Re-validate rejected records with the current dataset definition; land the ones
                  that pass in the raw zone and keep the rest with their new reasons.
      --dataset NAME            dataset to replay (required)
      --from YYYY-MM-DDTHH      first UTC hour of the rejects' partitions, inclusive (required)
      --to YYYY-MM-DDTHH        end of the range, exclusive (required)
      --error-type TYPE[,TYPE]  only these error_type partitions (repeatable); default: all
      --include-unknown-time    also replay rejects without a stream time (dt=unknown)
      --dry-run                 report what would happen; write and delete nothing

  compact         Merge the small raw objects of a date (or one hour) into objects of up to
                  --target-bytes, verifying counts and SHA-256 before deleting the inputs.
      --dataset NAME            dataset to compact (required)
      --dt YYYY-MM-DD           UTC date (this or --day-before is required)
      --day-before TIMESTAMP    the UTC date before this ISO-8601 time, such as a schedule's
                                invocation time (the nightly schedule passes its own)
      --hour HH                 only this hour (00-23); default: every hour of the date
      --target-bytes N          compressed size of a merged object, ${minTargetBytes} to ${maxTargetBytes}; default ${defaultTargetBytes}
      --dry-run                 report the planned groups; write and delete nothing
      --break-lease             take the partition's compaction lease from another job
                                (only when no other compaction of it is running)

  ingest-file     Ingest one file of a drop (the file-ingest function hands files too large for
                  it to this command): the same code, without the size limit.
      --drop NAME               the drop (required)
      --dataset NAME            the drop's dataset (required)
      --formats F[,F]           accepted formats: csv, jsonl, parquet (required)
      --chunk-rows N            rows per landed object, as the drop's function uses (required)
      --bucket NAME             landing bucket (required)
      --key KEY                 the file's key (required)
      --version-id ID           the file's version; default: the current one
      --manifest-prefix P       default ${defaultManifestPrefix}
      --quarantine-prefix P     default ${defaultQuarantinePrefix}

Exit codes: 0 success, 1 failure (safe to rerun), 2 bad usage or settings.
`;

const hourPattern = /^(\d{4}-\d{2}-\d{2})T(\d{2})$/;

/** Parses `YYYY-MM-DDTHH` (UTC) into epoch ms, or `undefined`. */
export function parseHourStamp(text: string): number | undefined {
    const match = hourPattern.exec(text);
    if (!match || !isIsoDate(match[1] as string) || Number(match[2]) > 23) {
        return undefined;
    }
    return Date.parse(`${match[1]}T${match[2]}:00:00.000Z`);
}

function show(value: string | undefined): string {
    return value === undefined ? "nothing" : `'${value}'`;
}

interface RawFlags {
    readonly values: Map<string, string[]>;
}

function readFlags(command: keyof typeof commands, tokens: readonly string[]): RawFlags {
    const specs = commands[command];
    const names = specs.map((spec) => spec.name);
    const values = new Map<string, string[]>();
    for (let index = 0; index < tokens.length; index += 1) {
        const token = tokens[index] as string;
        if (!token.startsWith("--")) {
            throw new UsageError(command, `flags only after the command (${names.join(", ")})`, `the extra argument ${show(token)}`, `remove it, or put it after the flag it belongs to, such as --dataset ${token}`);
        }
        const equals = token.indexOf("=");
        const name = equals === -1 ? token : token.slice(0, equals);
        const spec = specs.find((candidate) => candidate.name === name);
        if (!spec) {
            throw new UsageError(name, `one of ${names.join(", ")} for ${command}`, show(token), `remove ${name} or correct its spelling; run with --help for the flags of each command`);
        }
        let value: string;
        if (spec.kind === "switch") {
            if (equals !== -1) {
                throw new UsageError(name, "no value (it is a switch)", show(token), `write just ${name}`);
            }
            value = "true";
        } else if (equals !== -1) {
            value = token.slice(equals + 1);
        } else {
            const next = tokens[index + 1];
            if (next === undefined || next.startsWith("--")) {
                throw new UsageError(name, "a value after the flag", next === undefined ? "the end of the command line" : `the next flag ${show(next)}`, `write ${name} VALUE or ${name}=VALUE`);
            }
            value = next;
            index += 1;
        }
        const list = values.get(name) ?? [];
        if (list.length > 0 && !spec.repeatable) {
            throw new UsageError(name, "the flag once", `it ${list.length + 1} times (${[...list, value].map((v) => show(v)).join(", ")})`, `keep one ${name}`);
        }
        list.push(value);
        values.set(name, list);
    }
    for (const spec of specs) {
        if (spec.required && !values.has(spec.name)) {
            throw new UsageError(spec.name, `the flag (${command} requires it)`, "nothing", `add ${spec.name} ${exampleOf(spec.name)}`);
        }
    }
    return { values };
}

function exampleOf(flag: string): string {
    switch (flag) {
        case "--dataset":
            return platformDatasets[0]?.name ?? "orders";
        case "--from":
            return "2024-05-01T00";
        case "--to":
            return "2024-05-02T00";
        case "--dt":
            return "2024-05-01";
        default:
            return "VALUE";
    }
}

function one(flags: RawFlags, name: string): string | undefined {
    return flags.values.get(name)?.[0];
}

function datasetFlag(flags: RawFlags, available: readonly DatasetDefinition[]): DatasetDefinition {
    const name = one(flags, "--dataset") as string;
    const names = available.map((dataset) => dataset.name);
    if (!names.includes(name)) {
        throw new UsageError("--dataset", `one of the platform's datasets: ${names.join(", ")}`, show(name), `pass --dataset ${names[0] ?? "orders"}`);
    }
    return getDataset(name, available);
}

function hourFlag(flags: RawFlags, name: "--from" | "--to"): number {
    const text = one(flags, name) as string;
    const ms = parseHourStamp(text);
    if (ms === undefined) {
        throw new UsageError(name, "a UTC hour written YYYY-MM-DDTHH (a real date, hour 00-23)", show(text), `pass ${name} ${exampleOf(name)}`);
    }
    return ms;
}

function errorTypesFlag(flags: RawFlags): RejectErrorType[] {
    const given = flags.values.get("--error-type");
    if (given === undefined) {
        return [...rejectErrorTypes];
    }
    const types = new Set<RejectErrorType>();
    for (const value of given) {
        for (const item of value.split(",").map((part) => part.trim())) {
            if (!isRejectErrorType(item)) {
                throw new UsageError(
                    "--error-type",
                    `one or more reject error types (comma-separated or the flag repeated): ${rejectErrorTypes.join(", ")}`,
                    show(item),
                    "pass for example --error-type not_allowed,pattern_mismatch, or leave the flag out to replay every type",
                );
            }
            types.add(item);
        }
    }
    return [...types].sort();
}

function parseReplay(flags: RawFlags, available: readonly DatasetDefinition[]): ReplayCommand {
    const dataset = datasetFlag(flags, available);
    const fromMs = hourFlag(flags, "--from");
    const toMs = hourFlag(flags, "--to");
    if (toMs <= fromMs) {
        throw new UsageError("--to", `an hour after --from (${one(flags, "--from")}); the range is [from, to)`, show(one(flags, "--to")), `pass --to ${new Date(fromMs + 3_600_000).toISOString().slice(0, 13)} or later`);
    }
    const hours = (toMs - fromMs) / 3_600_000;
    if (hours > maxReplayHours) {
        throw new UsageError("--to", `at most ${maxReplayHours} hours (366 days) after --from`, `${show(one(flags, "--to"))}, ${hours} hours after --from`, "split the replay into several jobs of at most 366 days each");
    }
    return {
        kind: "replay-rejects",
        dataset,
        fromMs,
        toMs,
        errorTypes: errorTypesFlag(flags),
        includeUnknownTime: flags.values.has("--include-unknown-time"),
        dryRun: flags.values.has("--dry-run"),
    };
}

/** `--dt`, or the UTC date before `--day-before`: exactly one of them. */
function dateFlag(flags: RawFlags): string {
    const dt = one(flags, "--dt");
    const before = one(flags, "--day-before");
    if (dt !== undefined && before !== undefined) {
        throw new UsageError("--day-before", "either --dt or --day-before, not both", `--dt ${show(dt)} and --day-before ${show(before)}`, "keep one of them");
    }
    if (before !== undefined) {
        const ms = parseTimestamp(before);
        if (ms === undefined) {
            throw new UsageError("--day-before", "an ISO-8601 time with a zone, such as 2024-05-02T02:30:00Z", show(before), "pass --day-before 2024-05-02T02:30:00Z to compact 2024-05-01");
        }
        return formatTimestamp(ms - 86_400_000).slice(0, 10);
    }
    if (dt === undefined) {
        throw new UsageError("--dt", "the flag (compact requires --dt or --day-before)", "nothing", `add --dt ${exampleOf("--dt")}`);
    }
    if (!isIsoDate(dt)) {
        throw new UsageError("--dt", "a UTC date written YYYY-MM-DD (a real calendar date)", show(dt), "pass --dt 2024-05-01");
    }
    return dt;
}

function parseCompact(flags: RawFlags, available: readonly DatasetDefinition[]): CompactCommand {
    const dataset = datasetFlag(flags, available);
    const dt = dateFlag(flags);
    const hourText = one(flags, "--hour");
    let hour: string | undefined;
    if (hourText !== undefined) {
        if (!/^\d{1,2}$/.test(hourText) || Number(hourText) > 23) {
            throw new UsageError("--hour", "an hour from 00 to 23", show(hourText), "pass --hour 13, or leave the flag out to compact every hour of --dt");
        }
        hour = hourText.padStart(2, "0");
    }
    const targetText = one(flags, "--target-bytes");
    let targetBytes = defaultTargetBytes;
    if (targetText !== undefined) {
        const parsed = /^\d+$/.test(targetText) ? Number(targetText) : NaN;
        if (!Number.isSafeInteger(parsed) || parsed < minTargetBytes || parsed > maxTargetBytes) {
            throw new UsageError("--target-bytes", `an integer number of bytes from ${minTargetBytes} to ${maxTargetBytes}`, show(targetText), `pass --target-bytes ${defaultTargetBytes} (128 MiB), or leave the flag out`);
        }
        targetBytes = parsed;
    }
    return {
        kind: "compact",
        dataset,
        dt,
        ...(hour !== undefined ? { hour } : {}),
        targetBytes,
        dryRun: flags.values.has("--dry-run"),
        breakLease: flags.values.has("--break-lease"),
    };
}

function parseIngestFile(flags: RawFlags, available: readonly DatasetDefinition[]): IngestFileCommand {
    const value = (name: string) => one(flags, name) as string;
    const datasetName = value("--dataset");
    const dataset = available.find((candidate) => candidate.name === datasetName);
    if (!dataset) {
        throw new UsageError("--dataset", `one of ${available.map((d) => d.name).join(", ")}`, show(datasetName), "pass the drop's dataset");
    }
    let formats: FileFormat[];
    try {
        formats = parseFormats(value("--formats"), "--formats");
    } catch (error) {
        throw new UsageError("--formats", "a comma-separated list of csv, jsonl, parquet", show(value("--formats")), `pass, for example, --formats csv,jsonl (${error instanceof Error ? error.message : String(error)})`);
    }
    const chunkText = value("--chunk-rows");
    const chunkRows = /^\d+$/.test(chunkText) ? Number(chunkText) : NaN;
    if (!Number.isSafeInteger(chunkRows) || chunkRows < 1) {
        throw new UsageError("--chunk-rows", "a positive integer", show(chunkText), "pass the drop's chunk size, such as --chunk-rows 100000");
    }
    const versionId = one(flags, "--version-id");
    return {
        kind: "ingest-file",
        dataset,
        drop: value("--drop"),
        formats,
        chunkRows,
        bucket: value("--bucket"),
        key: value("--key"),
        ...(versionId !== undefined ? { versionId } : {}),
        manifestPrefix: one(flags, "--manifest-prefix") ?? defaultManifestPrefix,
        quarantinePrefix: one(flags, "--quarantine-prefix") ?? defaultQuarantinePrefix,
    };
}

/** Parses the arguments after `main.js`. `datasets` defaults to the platform's. */
export function parseCommandLine(argv: readonly string[], available: readonly DatasetDefinition[] = platformDatasets): BatchCommand {
    const [command, ...rest] = argv;
    if (command === "--help" || command === "-h" || command === "help" || (command !== undefined && rest.includes("--help"))) {
        return { kind: "help" };
    }
    if (command === "replay-rejects") {
        return parseReplay(readFlags(command, rest), available);
    }
    if (command === "compact") {
        return parseCompact(readFlags(command, rest), available);
    }
    if (command === "ingest-file") {
        return parseIngestFile(readFlags(command, rest), available);
    }
    throw new UsageError(
        "command",
        "a command: replay-rejects, compact or ingest-file",
        show(command),
        "run, for example, 'main.js replay-rejects --dataset orders --from 2024-05-01T00 --to 2024-05-02T00' or 'main.js compact --dataset orders --dt 2024-05-01'; --help lists the flags",
    );
}
