import { randomUUID } from "crypto";
import { Pool } from "pg";
import { DataApiFault, RecordedRequest, recordingDataApiClient } from "../../unit/warehouse/dataApiTransport";

/**
 * The Redshift Data API in front of PostgreSQL, for tests: a real `RedshiftDataClient` whose
 * requests are served by running the SQL on PostgreSQL. BatchExecuteStatement runs its statements
 * in one transaction on its own connection (rolled back on the first error, which is reported on
 * that sub-statement); ExecuteStatement runs one statement; DescribeStatement reports STARTED for
 * `pendingPolls` calls before the outcome; GetStatementResult pages `pageSize` rows with NextToken.
 * It checks what the real API requires of a request (a database and exactly one of workgroup or
 * cluster) and records every request for assertions.
 */
export interface EmulatorOptions {
    /** DescribeStatement calls answered STARTED before the outcome. Defaults to 1. */
    readonly pendingPolls?: number;
    /** Rows per GetStatementResult page. Defaults to 1000. */
    readonly pageSize?: number;
}

interface Outcome {
    readonly status: "FINISHED" | "FAILED";
    readonly error?: string;
    readonly sqls: readonly string[];
    readonly failedAt?: number;
    readonly result?: { columns: { name: string; typeId: number }[]; rows: (string | null)[][] };
    polls: number;
}

const rawText = { getTypeParser: () => (value: string) => value };

function field(value: string | null, typeId: number): Record<string, unknown> {
    if (value === null) {
        return { isNull: true };
    }
    if (typeId === 20 || typeId === 21 || typeId === 23) {
        return { longValue: Number(value) };
    }
    if (typeId === 700 || typeId === 701) {
        return { doubleValue: Number(value) };
    }
    if (typeId === 16) {
        return { booleanValue: value === "t" };
    }
    return { stringValue: value };
}

export function postgresDataApi(pool: Pool, options: EmulatorOptions = {}): { client: ReturnType<typeof recordingDataApiClient>["client"]; requests: RecordedRequest[] } {
    const pendingPolls = options.pendingPolls ?? 1;
    const pageSize = options.pageSize ?? 1000;
    const statements = new Map<string, Outcome>();

    const requireTarget = (input: Record<string, unknown>) => {
        if (typeof input.Database !== "string" || input.Database === "") {
            throw new DataApiFault("ValidationException", "Database is required");
        }
        if ((input.WorkgroupName === undefined) === (input.ClusterIdentifier === undefined)) {
            throw new DataApiFault("ValidationException", "Either WorkgroupName or ClusterIdentifier must be specified");
        }
    };

    const find = (id: unknown): [string, Outcome] => {
        const base = String(id).split(":")[0];
        const outcome = statements.get(base);
        if (!outcome) {
            throw new DataApiFault("ResourceNotFoundException", `Query does not exist: ${String(id)}`);
        }
        return [base, outcome];
    };

    const respond = async (operation: string, input: Record<string, unknown>): Promise<unknown> => {
        switch (operation) {
            case "BatchExecuteStatement": {
                requireTarget(input);
                const sqls = input.Sqls as string[];
                const id = randomUUID();
                const connection = await pool.connect();
                let outcome: Outcome = { status: "FINISHED", sqls, polls: 0 };
                try {
                    await connection.query("BEGIN");
                    for (let index = 0; index < sqls.length; index++) {
                        try {
                            await connection.query(sqls[index]);
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
            }
            case "ExecuteStatement": {
                requireTarget(input);
                const id = randomUUID();
                const sql = input.Sql as string;
                try {
                    const result = await pool.query({ text: sql, rowMode: "array", types: rawText });
                    const columns = (result.fields ?? []).map((f) => ({ name: f.name, typeId: f.dataTypeID }));
                    statements.set(id, { status: "FINISHED", sqls: [sql], result: result.fields?.length ? { columns, rows: result.rows as (string | null)[][] } : undefined, polls: 0 });
                } catch (error) {
                    statements.set(id, { status: "FAILED", error: `ERROR: ${(error as Error).message}`, sqls: [sql], polls: 0 });
                }
                return { Id: id, Database: input.Database };
            }
            case "DescribeStatement": {
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
            }
            case "GetStatementResult": {
                const [, outcome] = find(input.Id);
                if (!outcome.result) {
                    throw new DataApiFault("ValidationException", "Query does not have result. Please check query status with DescribeStatement.");
                }
                const start = input.NextToken ? Number(input.NextToken) : 0;
                const page = outcome.result.rows.slice(start, start + pageSize);
                const next = start + pageSize < outcome.result.rows.length ? String(start + pageSize) : undefined;
                return {
                    ColumnMetadata: outcome.result.columns.map((column) => ({ name: column.name, label: column.name })),
                    Records: page.map((row) => row.map((value, index) => field(value, outcome.result!.columns[index].typeId))),
                    TotalNumRows: outcome.result.rows.length,
                    ...(next ? { NextToken: next } : {}),
                };
            }
            case "CancelStatement":
                find(input.Id);
                return { Status: true };
            default:
                throw new DataApiFault("UnknownOperationException", `operation ${operation} is not emulated`);
        }
    };
    return recordingDataApiClient(respond);
}
