import * as assert from "assert";
import { DataApiExecutor, StatementFailedError, StatementTimeoutError, targetParameters, WarehouseConfigError } from "../../../runtime/warehouse";
import { DataApiFault, recordingDataApiClient } from "./dataApiTransport";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const statementId = "0b1e7c5e-8f4a-4d6b-9a51-2c4f7b9e1d20";

/** A virtual clock: sleeping advances it, and every sleep is recorded. */
function virtualTime() {
    let now = 0;
    const sleeps: number[] = [];
    return {
        sleeps,
        now: () => now,
        sleep: async (ms: number) => {
            sleeps.push(ms);
            now += ms;
        },
    };
}

describe("warehouse/dataApi", () => {
    describe("targetParameters", () => {
        it("selects a Serverless workgroup, with a secret when given", () => {
            assert.deepStrictEqual(targetParameters({ workgroupName: "etl-dev", database: "analytics", secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:wh" }), {
                Database: "analytics",
                WorkgroupName: "etl-dev",
                SecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:wh",
            });
        });

        it("selects a provisioned cluster with a database user for temporary credentials", () => {
            assert.deepStrictEqual(targetParameters({ clusterIdentifier: "etl-prod", database: "analytics", dbUser: "loader" }), {
                Database: "analytics",
                ClusterIdentifier: "etl-prod",
                DbUser: "loader",
            });
        });

        it("refuses a cluster without a secret or database user", () => {
            assert.throws(
                () => targetParameters({ clusterIdentifier: "etl-prod", database: "analytics" }),
                (error: Error) => error instanceof WarehouseConfigError && error.message === "cluster 'etl-prod' needs a secret ARN or a database user for temporary credentials",
            );
        });
    });

    describe("executeBatch", () => {
        it("submits the statements as one transaction and polls with doubling waits until FINISHED", async () => {
            const statuses = ["SUBMITTED", "PICKED", "STARTED", "FINISHED"];
            const { client, requests } = recordingDataApiClient((operation) =>
                operation === "BatchExecuteStatement"
                    ? { Id: statementId }
                    : { Id: statementId, Status: statuses.shift(), SubStatements: [{ Id: `${statementId}:1`, Status: "FINISHED", ResultRows: 0 }, { Id: `${statementId}:2`, Status: "FINISHED", ResultRows: 3 }] },
            );
            const time = virtualTime();
            const executor = new DataApiExecutor(client, { workgroupName: "etl-dev", database: "analytics" }, { sleep: time.sleep, now: time.now });

            const outcome = await executor.executeBatch(["CREATE TEMP TABLE t (a INT)", "INSERT INTO t VALUES (1), (2), (3)"], "orders: load batch b1");

            assert.deepStrictEqual(outcome, {
                statementId,
                subStatements: [
                    { id: `${statementId}:1`, status: "FINISHED", resultRows: 0 },
                    { id: `${statementId}:2`, status: "FINISHED", resultRows: 3 },
                ],
            });
            assert.deepStrictEqual(requests.map((r) => r.operation), ["BatchExecuteStatement", "DescribeStatement", "DescribeStatement", "DescribeStatement", "DescribeStatement"]);
            const { ClientToken, ...submitted } = requests[0].input;
            assert.match(String(ClientToken), uuid);
            assert.deepStrictEqual(submitted, {
                Database: "analytics",
                WorkgroupName: "etl-dev",
                Sqls: ["CREATE TEMP TABLE t (a INT)", "INSERT INTO t VALUES (1), (2), (3)"],
                ExecutionMode: "TRANSACTION",
                StatementName: "orders: load batch b1",
            });
            assert.deepStrictEqual(requests[1].input, { Id: statementId });
            assert.deepStrictEqual(time.sleeps, [250, 500, 1000]);
        });

        it("caps the wait between polls at maxDelayMs", async () => {
            let polls = 0;
            const { client } = recordingDataApiClient((operation) =>
                operation === "BatchExecuteStatement" ? { Id: statementId } : { Id: statementId, Status: ++polls < 8 ? "STARTED" : "FINISHED" },
            );
            const time = virtualTime();
            await new DataApiExecutor(client, { workgroupName: "wg", database: "db" }, { sleep: time.sleep, now: time.now, maxDelayMs: 2000 }).executeBatch(["SELECT 1"], "p");
            assert.deepStrictEqual(time.sleeps, [250, 500, 1000, 2000, 2000, 2000, 2000]);
        });

        it("sends the cluster and secret for a provisioned target", async () => {
            const { client, requests } = recordingDataApiClient((operation) => (operation === "BatchExecuteStatement" ? { Id: statementId } : { Id: statementId, Status: "FINISHED" }));
            await new DataApiExecutor(client, { clusterIdentifier: "etl-prod", database: "analytics", secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:wh" }).executeBatch(["SELECT 1"], "p");
            const { ClientToken: _token, ...input } = requests[0].input;
            assert.deepStrictEqual(input, {
                Database: "analytics",
                ClusterIdentifier: "etl-prod",
                SecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:wh",
                Sqls: ["SELECT 1"],
                ExecutionMode: "TRANSACTION",
                StatementName: "p",
            });
        });

        it("names the statement id, the failing sub-statement, its SQL and the error when a batch FAILED", async () => {
            const { client } = recordingDataApiClient((operation) =>
                operation === "BatchExecuteStatement"
                    ? { Id: statementId }
                    : {
                          Id: statementId,
                          Status: "FAILED",
                          Error: "Query failed",
                          SubStatements: [
                              { Id: `${statementId}:1`, Status: "FINISHED" },
                              { Id: `${statementId}:2`, Status: "FINISHED" },
                              { Id: `${statementId}:3`, Status: "FAILED", Error: "ERROR: Spectrum Scan Error", QueryString: "COPY \"stage_orders\" FROM 's3://m'" },
                              { Id: `${statementId}:4`, Status: "ABORTED" },
                          ],
                      },
            );
            await assert.rejects(
                new DataApiExecutor(client, { workgroupName: "wg", database: "db" }).executeBatch(["LOCK TABLE l", "CREATE TEMP TABLE s (LIKE t)", "COPY ...", "MERGE ..."], "orders: load batch b1"),
                (error: unknown) => {
                    assert.ok(error instanceof StatementFailedError);
                    assert.strictEqual(error.statementId, statementId);
                    assert.strictEqual(error.subStatementId, `${statementId}:3`);
                    assert.strictEqual(error.subStatementIndex, 3);
                    assert.strictEqual(error.errorText, "ERROR: Spectrum Scan Error");
                    assert.strictEqual(
                        error.message,
                        `orders: load batch b1: Data API statement ${statementId} FAILED at statement 3 of the batch (${statementId}:3): ERROR: Spectrum Scan Error; SQL: COPY "stage_orders" FROM 's3://m'`,
                    );
                    return true;
                },
            );
        });

        it("reports an ABORTED statement without sub-statement errors as cancelled", async () => {
            const { client } = recordingDataApiClient((operation) => (operation === "BatchExecuteStatement" ? { Id: statementId } : { Id: statementId, Status: "ABORTED" }));
            await assert.rejects(
                new DataApiExecutor(client, { workgroupName: "wg", database: "db" }).executeBatch(["SELECT 1", "SELECT 2"], "p"),
                { name: "StatementFailedError", message: `p: Data API statement ${statementId} ABORTED: the statement was cancelled` },
            );
        });

        it("cancels a statement that outlives the timeout and says so", async () => {
            const { client, requests } = recordingDataApiClient((operation) =>
                operation === "BatchExecuteStatement" ? { Id: statementId } : operation === "CancelStatement" ? { Status: true } : { Id: statementId, Status: "STARTED" },
            );
            const time = virtualTime();
            await assert.rejects(
                new DataApiExecutor(client, { workgroupName: "wg", database: "db" }, { sleep: time.sleep, now: time.now, timeoutMs: 1000 }).executeBatch(["SELECT 1"], "p"),
                (error: unknown) =>
                    error instanceof StatementTimeoutError &&
                    error.message === `p: Data API statement ${statementId} still STARTED after 1 s; it was cancelled. Raise the timeout or look for a lock holder (SVV_TRANSACTIONS)`,
            );
            assert.deepStrictEqual(requests.at(-1), { operation: "CancelStatement", input: { Id: statementId } });
            assert.deepStrictEqual(time.sleeps, [250, 500, 1000]);
        });

        it("passes Data API errors on submit through unchanged", async () => {
            const { client } = recordingDataApiClient(() => {
                throw new DataApiFault("ValidationException", "Workgroup etl-dev not found");
            });
            await assert.rejects(new DataApiExecutor(client, { workgroupName: "etl-dev", database: "db" }).executeBatch(["SELECT 1"], "p"), {
                name: "ValidationException",
                message: "Workgroup etl-dev not found",
            });
        });
    });

    describe("query", () => {
        it("follows result pages and converts typed fields to plain values", async () => {
            const pages: Record<string, unknown> = {
                first: {
                    ColumnMetadata: [{ name: "file_uri" }, { name: "etag" }, { name: "size" }, { name: "ok" }, { name: "ratio" }],
                    Records: [[{ stringValue: "s3://b/orders/a.parquet" }, { stringValue: "e1" }, { longValue: 10 }, { booleanValue: true }, { doubleValue: 0.5 }]],
                    TotalNumRows: 2,
                    NextToken: "page-2",
                },
                "page-2": {
                    ColumnMetadata: [{ name: "file_uri" }, { name: "etag" }, { name: "size" }, { name: "ok" }, { name: "ratio" }],
                    Records: [[{ stringValue: "s3://b/orders/b.parquet" }, { isNull: true }, { longValue: 20 }, { booleanValue: false }, { isNull: true }]],
                    TotalNumRows: 2,
                },
            };
            const { client, requests } = recordingDataApiClient((operation, input) => {
                switch (operation) {
                    case "ExecuteStatement":
                        return { Id: statementId };
                    case "DescribeStatement":
                        return { Id: statementId, Status: "FINISHED", HasResultSet: true };
                    default:
                        return pages[String(input.NextToken ?? "first")];
                }
            });

            const rows = await new DataApiExecutor(client, { workgroupName: "wg", database: "db" }).query("SELECT 1", "orders: read load ledger");

            assert.deepStrictEqual(rows, [
                { file_uri: "s3://b/orders/a.parquet", etag: "e1", size: 10, ok: true, ratio: 0.5 },
                { file_uri: "s3://b/orders/b.parquet", etag: null, size: 20, ok: false, ratio: null },
            ]);
            assert.deepStrictEqual(requests.map((r) => r.operation), ["ExecuteStatement", "DescribeStatement", "GetStatementResult", "GetStatementResult"]);
            const { ClientToken: _token, ...submitted } = requests[0].input;
            assert.deepStrictEqual(submitted, { Database: "db", WorkgroupName: "wg", Sql: "SELECT 1", StatementName: "orders: read load ledger" });
            assert.deepStrictEqual(requests[3].input, { Id: statementId, NextToken: "page-2" });
        });

        it("returns no rows for a statement without a result set", async () => {
            const { client, requests } = recordingDataApiClient((operation) => (operation === "ExecuteStatement" ? { Id: statementId } : { Id: statementId, Status: "FINISHED", HasResultSet: false }));
            assert.deepStrictEqual(await new DataApiExecutor(client, { workgroupName: "wg", database: "db" }).query("DELETE FROM t", "p"), []);
            assert.deepStrictEqual(requests.map((r) => r.operation), ["ExecuteStatement", "DescribeStatement"]);
        });

        it("names the query when it fails", async () => {
            const { client } = recordingDataApiClient((operation) =>
                operation === "ExecuteStatement" ? { Id: statementId } : { Id: statementId, Status: "FAILED", Error: 'ERROR: relation "analytics.load_ledger" does not exist' },
            );
            await assert.rejects(new DataApiExecutor(client, { workgroupName: "wg", database: "db" }).query("SELECT 1 FROM analytics.load_ledger", "orders: read load ledger"), {
                message: `orders: read load ledger: Data API statement ${statementId} FAILED: ERROR: relation "analytics.load_ledger" does not exist; SQL: SELECT 1 FROM analytics.load_ledger`,
            });
        });
    });
});
