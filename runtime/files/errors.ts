import { PlatformError } from "../common/errors";

/** Base class of the errors the file-ingest code throws. */
export class FileIngestError extends PlatformError {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "FileIngestError";
    }
}

/** The event is not an S3 "Object Created" event delivered by EventBridge. `path` points at the offending part. */
export class FileEventShapeError extends FileIngestError {
    readonly path: string;

    constructor(path: string, message: string, options?: ErrorOptions) {
        super(`${path}: ${message}`, options);
        this.name = "FileEventShapeError";
        this.path = path;
    }
}

/**
 * The file cannot be read as rows of its dataset at all (unknown format, a header that does not
 * match, a quote that never closes). The file is quarantined with this message as the reason.
 * `line` is where parsing stopped, when known.
 */
export class UnreadableFileError extends FileIngestError {
    readonly reason: QuarantineReason;
    readonly line?: number;

    constructor(reason: QuarantineReason, message: string, options?: ErrorOptions & { readonly line?: number }) {
        super(message, options);
        this.name = "UnreadableFileError";
        this.reason = reason;
        if (options?.line !== undefined) {
            this.line = options.line;
        }
    }
}

/** Why a file was quarantined (the `reason` field of its reason object). */
export type QuarantineReason = "unknown_format" | "format_not_allowed" | "content_mismatch" | "empty_file" | "header_mismatch" | "malformed_file";
