import { PlatformError } from "../../common/errors";

/** Base class of the API connector's errors. */
export class ApiConnectorError extends PlatformError {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "ApiConnectorError";
    }
}

/**
 * A request to the source API failed for good: a status that is not retried (4xx other than 408
 * and 429), or the last attempt of a retried failure. `status` is undefined for timeouts and
 * network errors.
 */
export class ApiRequestError extends ApiConnectorError {
    readonly url: string;
    readonly status: number | undefined;
    readonly attempts: number;

    constructor(url: string, status: number | undefined, attempts: number, message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "ApiRequestError";
        this.url = url;
        this.status = status;
        this.attempts = attempts;
    }
}

/** A page from the source API does not have the shape the source's config describes. */
export class ApiResponseError extends ApiConnectorError {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "ApiResponseError";
    }
}

/**
 * The checkpoint object changed under this run (another run claimed or advanced the window first).
 * This run stops without advancing anything; the objects it landed are the same ones the other
 * run lands, so nothing is duplicated.
 */
export class CheckpointConflictError extends ApiConnectorError {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "CheckpointConflictError";
    }
}
