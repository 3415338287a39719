import { PlatformError } from "../common/errors";

/** Base class of the lineage module's errors. */
export class LineageError extends PlatformError {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "LineageError";
    }
}

/** An event, dataset or transport setting that breaks the OpenLineage contract; the message names the field. */
export class LineageInputError extends LineageError {
    constructor(
        readonly field: string,
        message: string,
        options?: ErrorOptions,
    ) {
        super(message, options);
        this.name = "LineageInputError";
    }
}

/** A transport could not deliver events (the emitter counts these; they never fail a data stage). */
export class LineageTransportError extends LineageError {
    constructor(
        readonly transport: string,
        message: string,
        options?: ErrorOptions,
    ) {
        super(message, options);
        this.name = "LineageTransportError";
    }
}
