import { randomUUID } from "crypto";
import { Readable } from "stream";
import type { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import type { Pool } from "pg";
import { PlatformError } from "../common/errors";

/**
 * The Redshift Data API in front of PostgreSQL: the local warehouse of `npm run local` and of the
 * warehouse integration tests. It is a real `RedshiftDataClient` whose HTTP layer answers each
 * request by running its SQL on PostgreSQL, so the loader, the quality step and the final query
 * take exactly the code path (request shapes, polling, paging, error parsing) they take against
 * Redshift; only the engine underneath differs (see `SqlDialect` in ./sql.ts).
 *
 * - BatchExecuteStatement runs its statements in one transaction on one connection; the first
 *   error rolls it back and is reported on that sub-statement, the later ones as ABORTED.
 * - ExecuteStatement runs one statement; GetStatementResult pages `pageSize` rows with NextToken.
 * - DescribeStatement answers STARTED `pendingPolls` times before the outcome, as the real API
 *   does while a statement runs, so callers' polling is exercised.
 * - Requests are checked as the real API checks them (a database, exactly one of workgroup or
 *   cluster) and every request is recorded.
 */

/** A request the client sent: the operation (from X-Amz-Target) and its decoded JSON input. */
export interface RecordedDataApiRequest {
    readonly operation: string;
    readonly input: Record<string, unknown>;
}

/** An error answer in the Data API's JSON shape (`__type`, `message`), e.g. `ValidationException`. */
export class DataApiFault extends PlatformError {
    constructor(
        readonly type: string,
        message: string,
    ) {
        super(message);
        this.name = "DataApiFault";
    }
}

/** Answers one operation with its output document, or throws a `DataApiFault`. */
export type DataApiResponder = (operation: string, input: Record<string, unknown>) => unknown | Promise<unknown>;

/**
 * A `RedshiftDataClient` whose requests are decoded, recorded and answered by `respond` instead of
 * going over the network. The SDK serializes requests and parses answers as usual (AWS JSON 1.1).
 */
export function respondingDataApiClient(respond: DataApiResponder): { client: RedshiftDataClient; requests: RecordedDataApiRequest[] } {
    const sdk = require("@aws-sdk/client-redshift-data") as typeof import("@aws-sdk/client-redshift-data");
    const requests: RecordedDataApiRequest[] = [];
    const handle = async (request: { headers: Record<string, string>; body?: unknown }) => {
        const operation = String(request.headers["x-amz-target"] ?? "").replace(/^RedshiftData\./, "");
        const text = request.body === undefined ? "{}" : typeof request.body === "string" ? request.body : new TextDecoder().decode(request.body as Uint8Array);
        const input = JSON.parse(text || "{}") as Record<string, unknown>;
        requests.push({ operation, input });
        let statusCode = 200;
        let payload: unknown;
        try {
            payload = await respond(operation, input);
        } catch (error) {
            if (!(error instanceof DataApiFault)) {
                throw error;
            }
            statusCode = 400;
            payload = { __type: error.type, message: error.message };
        }
        return {
            response: {
                statusCode,
                headers: { "content-type": "application/x-amz-json-1.1" },
                body: Readable.from([Buffer.from(JSON.stringify(payload ?? {}))]),
            },
        };
    };
    const client = new sdk.RedshiftDataClient({
        region: "us-east-1",
        // Never sent anywhere: the request handler below answers in process.
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
        maxAttempts: 1,
        requestHandler: { handle } as unknown as RedshiftDataClient["config"]["requestHandler"],
    });
    return { client, requests };
}

export interface PostgresDataApiOptions {
    /** DescribeStatement calls answered STARTED before the outcome. Defaults to 1. */
    readonly pendingPolls?: number;
    /** Rows per GetStatementResult page. Defaults to 1000 (the real API's page is up to 100 MB). */
    readonly pageSize?: number;
}

interface StatementOutcome {
    readonly status: "FINISHED" | "FAILED";
    readonly error?: string;
    readonly sqls: readonly string[];
    readonly failedAt?: number;
    readonly result?: { readonly columns: readonly { readonly name: string; readonly typeId: number }[]; readonly rows: readonly (string | null)[][] };
    polls: number;
}

// PostgreSQL type ids answered as typed Data API fields; everything else is a string, as Redshift sends it.
const int8 = 20;
const int2 = 21;
const int4 = 23;
const float4 = 700;
const float8 = 701;
const bool = 16;

/** Rows come back as PostgreSQL's text, converted to Data API fields below. */
const asText = { getTypeParser: () => (value: string) => value };

function dataApiField(value: string | null, typeId: number): Record<string, unknown> {
    if (value === null) {
        return { isNull: true };
    }
    if (typeId === int8 || typeId === int2 || typeId === int4) {
        return { longValue: Number(value) };
    }
    if (typeId === float4 || typeId === float8) {
        return { doubleValue: Number(value) };
    }
    if (typeId === bool) {
        return { booleanValue: value === "t" };
    }
    return { stringValue: value };
}

/** The Data API served by PostgreSQL through `pool` (see the module comment). */
export function postgresDataApi(pool: Pool, options: PostgresDataApiOptions = {}): { client: RedshiftDataClient; requests: RecordedDataApiRequest[] } {
    const pendingPolls = options.pendingPolls ?? 1;
    const pageSize = options.pageSize ?? 1000;
    const statements = new Map<string, StatementOutcome>();

    const requireTarget = (input: Record<string, unknown>) => {
        if (typeof input.Database !== "string" || input.Database === "") {
            throw new DataApiFault("ValidationException", "Database is required");
        }
        if ((input.WorkgroupName === undefined) === (input.ClusterIdentifier === undefined)) {
            throw new DataApiFault("ValidationException", "Either WorkgroupName or ClusterIdentifier must be specified");
        }
    };

    const find = (id: unknown): [string, StatementOutcome] => {
        const base = String(id).split(":")[0] as string;
        const outcome = statements.get(base);
        if (!outcome) {
            throw new DataApiFault("ResourceNotFoundException", `Query does not exist: ${String(id)}`);
        }
        return [base, outcome];
    };

    const batchExecute = async (input: Record<string, unknown>) => {
        requireTarget(input);
        const sqls = input.Sqls as string[];
        const id = randomUUID();
        const connection = await pool.connect();
        let outcome: StatementOutcome = { status: "FINISHED", sqls, polls: 0 };
        try {
            await connection.query("BEGIN");
            for (let index = 0; index < sqls.length; index++) {
                try {
                    await connection.query(sqls[index] as string);
                } catch (error) {
                    await connection.query("ROLLBACK");
                    outcome = { status: "FAILED", error: `ERROR: ${(error as Error).message}`, sqls, failedAt: index, polls: 0 };
                    break;
                }
            }
            if (outcome.status === "FINISHED") {
                await connection.query("COMMIT");
            }
        } finally {
            connection.release();
        }
        statements.set(id, outcome);
        return { Id: id, Database: input.Database, WorkgroupName: input.WorkgroupName, ClusterIdentifier: input.ClusterIdentifier };
    };

    const execute = async (input: Record<string, unknown>) => {
        requireTarget(input);
        const id = randomUUID();
        const sql = input.Sql as string;
        try {
            const result = await pool.query({ text: sql, rowMode: "array", types: asText });
            const columns = (result.fields ?? []).map((field) => ({ name: field.name, typeId: field.dataTypeID }));
            statements.set(id, { status: "FINISHED", sqls: [sql], ...(result.fields?.length ? { result: { columns, rows: result.rows as (string | null)[][] } } : {}), polls: 0 });
        } catch (error) {
            statements.set(id, { status: "FAILED", error: `ERROR: ${(error as Error).message}`, sqls: [sql], polls: 0 });
        }
        return { Id: id, Database: input.Database };
    };

    const describe = (input: Record<string, unknown>) => {
        const [id, outcome] = find(input.Id);
        if (outcome.polls++ < pendingPolls) {
            return { Id: id, Status: "STARTED" };
        }
        const batch = outcome.sqls.length > 1 || outcome.result === undefined;
        return {
            Id: id,
            Status: outcome.status,
            ...(outcome.error ? { Error: outcome.error } : {}),
            HasResultSet: outcome.result !== undefined,
            ...(outcome.result ? { ResultRows: outcome.result.rows.length } : {}),
            ...(batch
                ? {
                      SubStatements: outcome.sqls.map((sql, index) => ({
                          Id: `${id}:${index + 1}`,
                          QueryString: sql,
                          Status: outcome.failedAt === undefined || index < outcome.failedAt ? "FINISHED" : index === outcome.failedAt ? "FAILED" : "ABORTED",
                          ...(index === outcome.failedAt ? { Error: outcome.error } : {}),
                      })),
                  }
                : {}),
        };
    };

    const result = (input: Record<string, unknown>) => {
        const [, outcome] = find(input.Id);
        const answer = outcome.result;
        if (!answer) {
            throw new DataApiFault("ValidationException", "Query does not have result. Please check query status with DescribeStatement.");
        }
        const start = input.NextToken ? Number(input.NextToken) : 0;
        const page = answer.rows.slice(start, start + pageSize);
        const next = start + pageSize < answer.rows.length ? String(start + pageSize) : undefined;
        return {
            ColumnMetadata: answer.columns.map((column) => ({ name: column.name, label: column.name })),
            Records: page.map((row) => row.map((value, index) => dataApiField(value, answer.columns[index]?.typeId ?? 0))),
            TotalNumRows: answer.rows.length,
            ...(next ? { NextToken: next } : {}),
        };
    };

    return respondingDataApiClient(async (operation, input) => {
        switch (operation) {
            case "BatchExecuteStatement":
                return batchExecute(input);
            case "ExecuteStatement":
                return execute(input);
            case "DescribeStatement":
                return describe(input);
            case "GetStatementResult":
                return result(input);
            case "CancelStatement":
                find(input.Id);
                return { Status: true };
            default:
                throw new DataApiFault("UnknownOperationException", `operation ${operation} is not served by the PostgreSQL Data API`);
        }
    });
}
