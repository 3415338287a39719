import { DatasetDefinition } from "../datasets/types";

/** One version of one object in the landing zone: what the S3 event names. */
export interface FileRef {
    readonly bucket: string;
    readonly key: string;
    /** The object version the event is about; absent only for unversioned buckets. */
    readonly versionId?: string;
}

/** What HEAD tells about an object version. */
export interface FileInfo {
    readonly size: number;
    /** The ETag without quotes: with the key, it identifies the bytes (a re-upload of the same bytes has the same ETag). */
    readonly etag: string;
    /** When this version was written, epoch milliseconds: the ingest time of every row in it. */
    readonly lastModifiedMs: number;
    /** Tags of this version (`platform-status` once processed). */
    readonly tags?: Readonly<Record<string, string>>;
}

/** File formats a drop accepts. CSV and JSON Lines may be gzip-compressed. */
export type FileFormat = "csv" | "jsonl" | "parquet";

export const fileFormats: readonly FileFormat[] = ["csv", "jsonl", "parquet"];

/** A detected file: its format and whether it is gzip-compressed. */
export interface DetectedFormat {
    readonly format: FileFormat;
    readonly gzip: boolean;
}

/** One file drop: where partners put files of one dataset, and how they are read. */
export interface DropSettings {
    /** Lower snake case; names the drop in keys, logs and metrics. */
    readonly name: string;
    readonly dataset: DatasetDefinition;
    /** Formats accepted; a file in another format is quarantined. */
    readonly formats: readonly FileFormat[];
    /** Rows per raw/rejects object: chunk `n` holds data rows `n × chunkRows + 1 …`. Part of every key, so keep it fixed per drop. */
    readonly chunkRows: number;
}

/** What happened to a file. */
export type FileStatus = "landed" | "quarantined" | "duplicate" | "handed_off" | "missing";

/** The per-file manifest, written last: its existence means the file is done. */
export interface FileManifest {
    readonly drop: string;
    readonly dataset: string;
    readonly dataset_version: number;
    readonly bucket: string;
    readonly key: string;
    readonly version_id: string | null;
    readonly etag: string;
    readonly size: number;
    readonly file_id: string;
    readonly status: "landed" | "quarantined";
    readonly format: FileFormat | null;
    readonly gzip: boolean;
    readonly chunk_rows: number;
    readonly rows_in: number;
    readonly rows_landed: number;
    readonly rows_rejected: number;
    /** Every raw and rejects object holding this file's rows, as `s3://bucket/key`. */
    readonly objects: readonly string[];
    /** Only for quarantined files: why, and where the copy is. */
    readonly quarantine?: { readonly reason: string; readonly message: string; readonly line?: number; readonly copy: string };
}

/** What `ingestFile` reports. */
export interface FileOutcome {
    readonly status: FileStatus;
    readonly fileId?: string;
    readonly manifestKey?: string;
    readonly rowsIn: number;
    readonly rowsLanded: number;
    readonly rowsRejected: number;
    readonly objects: readonly string[];
    readonly quarantine?: FileManifest["quarantine"];
    /** Only for `handed_off`: the Batch job id. */
    readonly jobId?: string;
}
