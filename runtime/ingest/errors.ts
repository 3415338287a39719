import { PlatformError } from "../common/errors";

/** Base class of the errors the ingest function throws. */
export class IngestError extends PlatformError {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "IngestError";
    }
}

/**
 * The event itself is not the shape the event source mapping sends (as opposed to a bad record
 * inside a good event, which is rejected, not thrown). `path` points at the offending part.
 */
export class EventShapeError extends IngestError {
    readonly path: string;

    constructor(path: string, message: string, options?: ErrorOptions) {
        super(`${path}: ${message}`, options);
        this.name = "EventShapeError";
        this.path = path;
    }
}

/**
 * Some objects of a batch could not be written. Thrown by the Kafka handler so the event source
 * mapping retries the batch; the retry rewrites exactly the same objects.
 */
export class IngestWriteError extends IngestError {
    readonly failedKeys: readonly string[];

    constructor(failedKeys: readonly string[], message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "IngestWriteError";
        this.failedKeys = failedKeys;
    }
}
