import * as assert from "assert";
import { parseQuery, queryKeys } from "../../../infra/config/query";
import { parseClean, rejectsEach } from "./helpers";

describe("config area: query (Athena)", () => {
    it("defaults to 100 GB per analyst query, 10 GB per pipeline query and results kept a week", () => {
        assert.deepStrictEqual(parseClean(queryKeys, parseQuery), { analystsScanLimitGb: 100, pipelineScanLimitGb: 10, resultsExpirationDays: 7 });
    });

    it("accepts the limits a stack sets", () => {
        assert.deepStrictEqual(parseClean(queryKeys, parseQuery, { athenaAnalystsScanLimitGb: "1", athenaPipelineScanLimitGb: "10240", athenaResultsExpirationDays: "365" }), {
            analystsScanLimitGb: 1,
            pipelineScanLimitGb: 10240,
            resultsExpirationDays: 365,
        });
    });

    rejectsEach(queryKeys, parseQuery, [
        { title: "an analyst scan limit of zero", values: { athenaAnalystsScanLimitGb: "0" }, problem: { key: "platform:athenaAnalystsScanLimitGb", expected: "an integer from 1 to 10240", found: "0", fix: "pulumi config set platform:athenaAnalystsScanLimitGb 200" } },
        { title: "a pipeline scan limit above 10 TB", values: { athenaPipelineScanLimitGb: "20000" }, problem: { key: "platform:athenaPipelineScanLimitGb", expected: "an integer from 1 to 10240", found: "20000", fix: "pulumi config set platform:athenaPipelineScanLimitGb 20" } },
        { title: "results kept longer than a year", values: { athenaResultsExpirationDays: "400" }, problem: { key: "platform:athenaResultsExpirationDays", expected: "an integer from 1 to 365", found: "400", fix: "pulumi config set platform:athenaResultsExpirationDays 30" } },
    ]);
});
