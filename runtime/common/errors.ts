/**
 * The error hierarchy shared by runtime code. Every error sets `name`, takes `ErrorOptions` so the
 * underlying cause is kept, and carries a message that names what was wrong, what was expected,
 * what was found and how to fix it.
 */

/** Base class of every error the platform's runtime code throws on purpose. */
export class PlatformError extends Error {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "PlatformError";
    }
}

/**
 * A setting (environment variable, option, command-line flag) is missing or invalid.
 * `setting` names it, so callers can point the user at the exact knob to turn.
 */
export class ConfigurationError extends PlatformError {
    readonly setting: string;

    constructor(setting: string, message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "ConfigurationError";
        this.setting = setting;
    }
}

/** An object store operation failed (after the client's own retries). */
export class ObjectStoreError extends PlatformError {
    readonly bucket: string;
    readonly key: string;
    readonly operation: string;

    constructor(operation: string, bucket: string, key: string, message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "ObjectStoreError";
        this.operation = operation;
        this.bucket = bucket;
        this.key = key;
    }
}

/** Renders any thrown value as a one-line message, keeping the error's name when it has one. */
export function describeError(error: unknown): string {
    if (error instanceof Error) {
        return error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message;
    }
    return String(error);
}
