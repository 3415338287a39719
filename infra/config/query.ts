/** Athena config: the bytes-scanned limit per query of each workgroup and how long query results are kept. */
import { ConfigKey, ConfigReader } from "./reader";

export const queryKeys: readonly ConfigKey[] = [
    { name: "athenaAnalystsScanLimitGb", type: "integer", default: 100, example: "200", description: "Bytes-scanned limit per query of the analysts Athena workgroup, in GB (1 to 10240); a query that scans more is cancelled." },
    { name: "athenaPipelineScanLimitGb", type: "integer", default: 10, example: "20", description: "Bytes-scanned limit per query of the pipeline Athena workgroup (the platform's own checks), in GB (1 to 10240)." },
    { name: "athenaResultsExpirationDays", type: "integer", default: 7, example: "30", description: "Days Athena query results are kept in the results bucket before they expire (1 to 365)." },
];

export interface QueryConfig {
    /** Per-query scan limit of the `analysts` workgroup, in GB (10^9 bytes). */
    readonly analystsScanLimitGb: number;
    /** Per-query scan limit of the `pipeline` workgroup, in GB (10^9 bytes). */
    readonly pipelineScanLimitGb: number;
    /** Days query results live in the results bucket. */
    readonly resultsExpirationDays: number;
}

export function parseQuery(reader: ConfigReader): QueryConfig {
    return {
        analystsScanLimitGb: reader.range("athenaAnalystsScanLimitGb", 1, 10240),
        pipelineScanLimitGb: reader.range("athenaPipelineScanLimitGb", 1, 10240),
        resultsExpirationDays: reader.range("athenaResultsExpirationDays", 1, 365),
    };
}
