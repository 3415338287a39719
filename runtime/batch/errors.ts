import { ConfigurationError, PlatformError } from "../common/errors";

/** Base class of the errors the batch job throws on purpose. */
export class BatchJobError extends PlatformError {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "BatchJobError";
    }
}

/**
 * A command-line flag is missing, unknown or has a bad value. The message names the flag, what
 * was expected, what was found and how to fix it; the job exits with code 2.
 */
export class UsageError extends ConfigurationError {
    readonly flag: string;
    readonly expected: string;
    readonly found: string;
    readonly fix: string;

    constructor(flag: string, expected: string, found: string, fix: string) {
        super(flag, `${flag}: expected ${expected}; found ${found}; fix: ${fix}`);
        this.name = "UsageError";
        this.flag = flag;
        this.expected = expected;
        this.found = found;
        this.fix = fix;
    }
}

/**
 * Stored objects disagree with what the job wrote or recorded (a count or hash mismatch, a control
 * object that does not match its data). The job stops touching the affected objects and deletes
 * nothing, so an operator can look at them.
 */
export class IntegrityError extends BatchJobError {
    readonly bucket: string;
    readonly key: string;

    constructor(bucket: string, key: string, message: string, options?: ErrorOptions) {
        super(`s3://${bucket}/${key}: ${message}`, options);
        this.name = "IntegrityError";
        this.bucket = bucket;
        this.key = key;
    }
}

/** An object the job reads is not in the format the platform writes (a reject line without its payload, bad JSON). */
export class InputFormatError extends BatchJobError {
    readonly bucket: string;
    readonly key: string;

    constructor(bucket: string, key: string, message: string, options?: ErrorOptions) {
        super(`s3://${bucket}/${key}: ${message}`, options);
        this.name = "InputFormatError";
        this.bucket = bucket;
        this.key = key;
    }
}

/** Another compaction of the same partition holds its lease. */
export class LeaseHeldError extends BatchJobError {
    readonly leaseKey: string;
    readonly owner: string;

    constructor(leaseKey: string, owner: string, message: string) {
        super(message);
        this.name = "LeaseHeldError";
        this.leaseKey = leaseKey;
        this.owner = owner;
    }
}
