import * as assert from "assert";
import { environmentKeys, parseEnvironment } from "../../../infra/config/environment";
import { parseClean, readArea, rejectsEach } from "./helpers";

const region = { "aws:region": "us-east-1" };

describe("config area: environment", () => {
    it("defaults to a dev stack with unprotected data, 30-day logs and the ownership tags", () => {
        assert.deepStrictEqual(parseClean(environmentKeys, parseEnvironment, {}, region), {
            environment: "dev",
            region: "us-east-1",
            tags: { environment: "dev", owner: "data-platform", "cost-center": "analytics", project: "platform", stack: "dev" },
            protectData: false,
            logRetentionDays: 30,
            lambdaArchitecture: "arm64",
        });
    });

    it("accepts a prod stack that protects its data, with its own owner and cost center as tags", () => {
        const parsed = parseClean(environmentKeys, parseEnvironment, { environment: "prod", protectData: "true", owner: "lake-team", costCenter: "cc-42", logRetentionDays: "365" }, { "aws:region": "eu-west-1" });
        assert.deepStrictEqual(parsed, {
            environment: "prod",
            region: "eu-west-1",
            tags: { environment: "prod", owner: "lake-team", "cost-center": "cc-42", project: "platform", stack: "dev" },
            protectData: true,
            logRetentionDays: 365,
            lambdaArchitecture: "arm64",
        });
    });

    it("reports a missing region and leaves it out of the result", () => {
        const reader = readArea(environmentKeys);
        assert.ok(!("region" in parseEnvironment(reader)));
        assert.deepStrictEqual(reader.problems, [{ key: "aws:region", expected: "an AWS region such as us-east-1", found: "nothing", fix: "pulumi config set aws:region us-east-1" }]);
    });

    it("reports a malformed region with the value found", () => {
        const reader = readArea(environmentKeys, {}, { extra: { "aws:region": "Virginia" } });
        parseEnvironment(reader);
        assert.deepStrictEqual(reader.problems, [{ key: "aws:region", expected: "an AWS region such as us-east-1", found: '"Virginia"', fix: "pulumi config set aws:region us-east-1" }]);
    });

    rejectsEach(
        environmentKeys,
        parseEnvironment,
        [
            { title: "an unknown environment", values: { environment: "staging" }, problem: { key: "platform:environment", expected: "one of dev, prod", found: '"staging"', fix: "pulumi config set platform:environment dev" } },
            { title: "prod without data protection", values: { environment: "prod", protectData: "false" }, problem: { key: "platform:protectData", expected: "true in prod (data stores must be protected)", found: "false", fix: "pulumi config set platform:protectData true" } },
            { title: "a boolean that is not a boolean", values: { protectData: "yes" }, problem: { key: "platform:protectData", expected: "true or false", found: '"yes"', fix: "pulumi config set platform:protectData true" } },
            { title: "an owner tag with characters AWS refuses", values: { owner: "team#1" }, problem: { key: "platform:owner", expected: "a tag value of 1 to 256 letters, digits, spaces or _.:/=+-@", found: '"team#1"', fix: "pulumi config set platform:owner data-platform" } },
            { title: "an empty cost center tag", values: { costCenter: "" }, problem: { key: "platform:costCenter", expected: "a tag value of 1 to 256 letters, digits, spaces or _.:/=+-@", found: '""', fix: "pulumi config set platform:costCenter analytics" } },
            { title: "a log retention CloudWatch does not accept", values: { logRetentionDays: "10" }, problem: { key: "platform:logRetentionDays", expected: "a CloudWatch retention value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)", found: "10", fix: "pulumi config set platform:logRetentionDays 90" } },
        ],
        region,
    );
});
