/**
 * The error hierarchy shared by runtime code. Every error sets `name`, takes `ErrorOptions` so the
 * underlying cause is kept, and carries a message that names what was wrong, what was expected,
 * what was found and how to fix it.
 */

/**
 * Base class of every error the platform's runtime code throws on purpose.
 *
 * Pulumi's closure serialization (inline Lambda callbacks) turns classes into plain constructor
 * functions: `super(message)` becomes `Error.call(this, message)`, which does not initialise
 * `this`, and the class prototypes lose their link to each other and to `Error.prototype`. The
 * constructor therefore sets `message`, `cause` and the stack itself and re-links the prototype
 * chain, so inside a deployed handler errors keep their text and `instanceof` still works.
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
        if (!(this instanceof Error)) {
            relinkPrototypes(this);
        }
        if (typeof this.stack !== "string") {
            Error.captureStackTrace(this, Object.getPrototypeOf(this).constructor);
        }
    }
}

/** Points each class prototype of `instance` at its superclass's prototype, up to `Error`. */
function relinkPrototypes(instance: object): void {
    let constructor = (Object.getPrototypeOf(instance) as { constructor?: unknown }).constructor as (new () => unknown) | undefined;
    while (typeof constructor === "function" && constructor !== Error) {
        const parent = Object.getPrototypeOf(constructor) as (new () => unknown) | undefined;
        if (typeof parent !== "function" || parent.prototype === undefined) {
            return;
        }
        if (Object.getPrototypeOf(constructor.prototype) !== parent.prototype) {
            Object.setPrototypeOf(constructor.prototype, parent.prototype);
        }
        constructor = parent;
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

/** Renders any thrown value as a one-line message, keeping the error's name when it has one (duck-typed: serialized errors may not be `instanceof Error`). */
export function describeError(error: unknown): string {
    const shape = error as { name?: unknown; message?: unknown } | null | undefined;
    if (typeof shape === "object" && shape !== null && typeof shape.message === "string") {
        return typeof shape.name === "string" && shape.name !== "" && shape.name !== "Error" ? `${shape.name}: ${shape.message}` : shape.message;
    }
    return String(error);
}
