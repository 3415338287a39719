import { randomUUID } from "crypto";
import type { DescribeStatementCommandOutput, Field, RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { StatementFailedError, StatementTimeoutError, WarehouseConfigError } from "./errors";

/**
 * Where statements run: a Redshift Serverless workgroup or a provisioned cluster, one database, and
 * credentials from a Secrets Manager secret or (IAM) temporary credentials for the caller
 * (Serverless) / for `dbUser` (cluster).
 */
export type WarehouseTarget =
    | { readonly workgroupName: string; readonly database: string; readonly secretArn?: string }
    | { readonly clusterIdentifier: string; readonly database: string; readonly secretArn?: string; readonly dbUser?: string };

/** The Data API fields that select the target and the credentials. */
export function targetParameters(target: WarehouseTarget): {
    Database: string;
    WorkgroupName?: string;
    ClusterIdentifier?: string;
    SecretArn?: string;
    DbUser?: string;
} {
    if (!target.database) {
        throw new WarehouseConfigError("warehouse target needs a database name");
    }
    if ("workgroupName" in target && "clusterIdentifier" in target) {
        throw new WarehouseConfigError("warehouse target names both a workgroup and a cluster; choose one");
    }
    if ("workgroupName" in target) {
        return { Database: target.database, WorkgroupName: target.workgroupName, ...(target.secretArn ? { SecretArn: target.secretArn } : {}) };
    }
    if (!target.secretArn && !target.dbUser) {
        throw new WarehouseConfigError(`cluster '${target.clusterIdentifier}' needs a secret ARN or a database user for temporary credentials`);
    }
    if (target.secretArn && target.dbUser) {
        throw new WarehouseConfigError(`cluster '${target.clusterIdentifier}': give either a secret ARN or a database user, not both`);
    }
    return {
        Database: target.database,
        ClusterIdentifier: target.clusterIdentifier,
        ...(target.secretArn ? { SecretArn: target.secretArn } : { DbUser: target.dbUser }),
    };
}

export interface PollOptions {
    /** First wait between DescribeStatement calls. Defaults to 250 ms. */
    readonly initialDelayMs?: number;
    /** Longest wait between calls (the wait doubles up to this). Defaults to 5000 ms. */
    readonly maxDelayMs?: number;
    /** Give up (and cancel the statement) after this long. Defaults to 15 minutes. */
    readonly timeoutMs?: number;
    /** Defaults to setTimeout. */
    readonly sleep?: (ms: number) => Promise<void>;
    /** Defaults to Date.now. */
    readonly now?: () => number;
}

/** A result row: column name → value (null, string, number, boolean or bytes). */
export type ResultRow = Record<string, string | number | boolean | Uint8Array | null>;

export interface BatchOutcome {
    readonly statementId: string;
    /** Status of each statement of the batch, in order. */
    readonly subStatements: readonly { readonly id: string; readonly status: string; readonly resultRows: number | null }[];
}

/** The minimal client surface used (a `RedshiftDataClient` satisfies it). */
export interface RedshiftDataSender {
    send: RedshiftDataClient["send"];
}

function fieldValue(field: Field): string | number | boolean | Uint8Array | null {
    if (field.isNull) {
        return null;
    }
    if (field.stringValue !== undefined) {
        return field.stringValue;
    }
    if (field.longValue !== undefined) {
        return field.longValue;
    }
    if (field.doubleValue !== undefined) {
        return field.doubleValue;
    }
    if (field.booleanValue !== undefined) {
        return field.booleanValue;
    }
    if (field.blobValue !== undefined) {
        return field.blobValue;
    }
    return null;
}

/**
 * Runs SQL through the Redshift Data API and waits for it: submit, poll DescribeStatement with
 * exponential backoff until FINISHED, and turn FAILED/ABORTED into a `StatementFailedError` that
 * names the statement id, the failing statement of a batch and the error text.
 */
export class DataApiExecutor {
    private readonly parameters: ReturnType<typeof targetParameters>;
    private readonly initialDelayMs: number;
    private readonly maxDelayMs: number;
    private readonly timeoutMs: number;
    private readonly sleep: (ms: number) => Promise<void>;
    private readonly now: () => number;
    /** The SDK's command classes, loaded when the executor is made (see runtime/common/telemetry.ts for why not at module scope). */
    private readonly sdk: typeof import("@aws-sdk/client-redshift-data");

    constructor(
        private readonly client: RedshiftDataSender,
        target: WarehouseTarget,
        poll: PollOptions = {},
    ) {
        this.parameters = targetParameters(target);
        this.initialDelayMs = poll.initialDelayMs ?? 250;
        this.maxDelayMs = poll.maxDelayMs ?? 5000;
        this.timeoutMs = poll.timeoutMs ?? 15 * 60_000;
        this.sleep = poll.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
        this.now = poll.now ?? Date.now;
        this.sdk = require("@aws-sdk/client-redshift-data") as typeof import("@aws-sdk/client-redshift-data");
    }

    /** Runs the statements as one transaction (all or nothing) and waits for it. */
    async executeBatch(sqls: readonly string[], purpose: string): Promise<BatchOutcome> {
        if (sqls.length === 0) {
            throw new WarehouseConfigError(`${purpose}: a batch needs at least one statement`);
        }
        const submitted = await this.client.send(
            new this.sdk.BatchExecuteStatementCommand({
                ...this.parameters,
                Sqls: [...sqls],
                ExecutionMode: "TRANSACTION",
                StatementName: purpose.slice(0, 500),
                ClientToken: randomUUID(),
            }),
        );
        const description = await this.wait(submitted.Id as string, purpose, sqls);
        return {
            statementId: submitted.Id as string,
            subStatements: (description.SubStatements ?? []).map((sub) => ({ id: sub.Id as string, status: sub.Status as string, resultRows: sub.ResultRows ?? null })),
        };
    }

    /** Runs one query, waits for it and returns all its rows (following result pages). */
    async query(sql: string, purpose: string): Promise<ResultRow[]> {
        const submitted = await this.client.send(
            new this.sdk.ExecuteStatementCommand({ ...this.parameters, Sql: sql, StatementName: purpose.slice(0, 500), ClientToken: randomUUID() }),
        );
        const id = submitted.Id as string;
        const description = await this.wait(id, purpose, [sql]);
        if (!description.HasResultSet) {
            return [];
        }
        const rows: ResultRow[] = [];
        let nextToken: string | undefined;
        do {
            const page = await this.client.send(new this.sdk.GetStatementResultCommand({ Id: id, NextToken: nextToken }));
            const names = (page.ColumnMetadata ?? []).map((column, index) => column.name ?? column.label ?? `column_${index}`);
            for (const record of page.Records ?? []) {
                const row: ResultRow = {};
                record.forEach((field, index) => {
                    row[names[index]] = fieldValue(field);
                });
                rows.push(row);
            }
            nextToken = page.NextToken || undefined;
        } while (nextToken);
        return rows;
    }

    private async wait(id: string, purpose: string, sqls: readonly string[]): Promise<DescribeStatementCommandOutput> {
        const started = this.now();
        let delay = this.initialDelayMs;
        for (;;) {
            const description = await this.client.send(new this.sdk.DescribeStatementCommand({ Id: id }));
            const status = description.Status ?? "UNKNOWN";
            if (status === "FINISHED") {
                return description;
            }
            if (status === "FAILED" || status === "ABORTED") {
                throw this.failure(id, status, description, purpose, sqls);
            }
            if (this.now() - started >= this.timeoutMs) {
                await this.client.send(new this.sdk.CancelStatementCommand({ Id: id })).catch(() => undefined);
                throw new StatementTimeoutError(id, purpose, this.timeoutMs, status);
            }
            await this.sleep(delay);
            delay = Math.min(delay * 2, this.maxDelayMs);
        }
    }

    private failure(id: string, status: string, description: DescribeStatementCommandOutput, purpose: string, sqls: readonly string[]): StatementFailedError {
        const subs = description.SubStatements ?? [];
        const failedIndex = subs.findIndex((sub) => sub.Status === "FAILED" || (sub.Error !== undefined && sub.Error !== ""));
        if (failedIndex >= 0) {
            const sub = subs[failedIndex];
            return new StatementFailedError({
                statementId: id,
                status,
                errorText: sub.Error || description.Error || "no error text",
                subStatementId: sub.Id,
                subStatementIndex: failedIndex + 1,
                sql: sub.QueryString ?? sqls[failedIndex],
                purpose,
            });
        }
        return new StatementFailedError({
            statementId: id,
            status,
            errorText: description.Error || (status === "ABORTED" ? "the statement was cancelled" : "no error text"),
            sql: sqls.length === 1 ? sqls[0] : undefined,
            purpose,
        });
    }
}
