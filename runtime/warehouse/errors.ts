import { PlatformError } from "../common/errors";

/**
 * Errors of the warehouse loader. Each names what was expected, what was found and the fix. They
 * extend `PlatformError` so they keep their message inside deployed (serialized) handlers.
 */
export class WarehouseError extends PlatformError {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "WarehouseError";
    }
}

/** Missing or inconsistent loader configuration (environment variables, target, identifiers). */
export class WarehouseConfigError extends WarehouseError {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "WarehouseConfigError";
    }
}

/** A Data API statement (or one statement of a batch) ended FAILED or ABORTED. */
export class StatementFailedError extends WarehouseError {
    readonly statementId: string;
    readonly status: string;
    /** Id of the failing sub-statement of a batch (`<id>:<n>`), when the Data API reported one. */
    readonly subStatementId?: string;
    /** 1-based position of the failing statement in the batch, when known. */
    readonly subStatementIndex?: number;
    readonly sql?: string;
    readonly errorText: string;

    constructor(details: {
        statementId: string;
        status: string;
        errorText: string;
        subStatementId?: string;
        subStatementIndex?: number;
        sql?: string;
        purpose: string;
    }) {
        const where = details.subStatementId
            ? ` at statement ${details.subStatementIndex} of the batch (${details.subStatementId})`
            : "";
        const sql = details.sql ? `; SQL: ${details.sql.length > 300 ? `${details.sql.slice(0, 300)}…` : details.sql}` : "";
        super(`${details.purpose}: Data API statement ${details.statementId} ${details.status}${where}: ${details.errorText}${sql}`);
        this.name = "StatementFailedError";
        this.statementId = details.statementId;
        this.status = details.status;
        this.subStatementId = details.subStatementId;
        this.subStatementIndex = details.subStatementIndex;
        this.sql = details.sql;
        this.errorText = details.errorText;
    }
}

/** A statement did not finish within the configured time; it is cancelled before this is thrown. */
export class StatementTimeoutError extends WarehouseError {
    readonly statementId: string;

    constructor(statementId: string, purpose: string, timeoutMs: number, lastStatus: string) {
        super(`${purpose}: Data API statement ${statementId} still ${lastStatus} after ${Math.round(timeoutMs / 1000)} s; it was cancelled. Raise the timeout or look for a lock holder (SVV_TRANSACTIONS)`);
        this.name = "StatementTimeoutError";
        this.statementId = statementId;
    }
}
