/**
 * The error hierarchy shared by runtime code. Every error sets `name`, takes `ErrorOptions` so the
 * underlying cause is kept, and carries a message that names what was wrong, what was expected,
 * what was found and how to fix it.
 */

/**
 * Base class of every error the platform's runtime code throws on purpose.
 *
 * Pulumi's closure serialization (inline Lambda callbacks) rewrites `super(message)` into
 * `Error.call(this, message)`, which does not initialise `this`; the constructor therefore sets
 * `message`, `cause` and the stack itself, so errors keep their text inside a deployed handler.
 */
export class PlatformError extends Error {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "PlatformError";
        if (this.message !== message) {
            this.message = message;
        }
        if (options && "cause" in options && this.cause === undefined) {
            this.cause = options.cause;
        }
        if (this.stack === undefined) {
            Error.captureStackTrace(this, PlatformError);
        }
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
