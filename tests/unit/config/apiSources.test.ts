import * as assert from "assert";
import { apiSourceKeys, checkScheduleExpression, parseApiSources } from "../../../infra/config/apiSources";
import { ConfigReader } from "../../../infra/config/reader";
import { readArea } from "./helpers";

const fx = {
    dataset: "fx_rates",
    baseUrl: "https://fx-rates.example.com/v1/rates",
    auth: { type: "apiKey", header: "X-Api-Key", secretName: "/platform-dev/api-sources/fx-rates" },
    pagination: { style: "cursor", cursorParam: "cursor", cursorField: "next_cursor" },
    incrementalField: "updated_at",
    schedule: "rate(1 hour)",
};

function parse(sources: Record<string, unknown>): { reader: ConfigReader; parsed: ReturnType<typeof parseApiSources> } {
    const reader = readArea(apiSourceKeys, { apiSources: JSON.stringify(sources) });
    return { reader, parsed: parseApiSources(reader, "us-east-1") };
}

function problemsOf(sources: Record<string, unknown>): string[] {
    return parse(sources).reader.problems.map((p) => `${p.key}: expected ${p.expected}; found ${p.found}. Fix: ${p.fix}`);
}

describe("config area: apiSources", () => {
    it("declares no API source by default", () => {
        const reader = readArea(apiSourceKeys);
        assert.deepStrictEqual(parseApiSources(reader, "us-east-1"), []);
        assert.deepStrictEqual(reader.problems, []);
    });

    it("reads a source with its defaults: data records, updated_since/updated_before, one day of look-back, 5 requests a second, 10 s timeouts", () => {
        const { reader, parsed } = parse({ "fx-rates": fx });
        assert.deepStrictEqual(reader.problems, []);
        const [source] = parsed;
        assert.deepStrictEqual(source?.settings, {
            name: "fx-rates",
            dataset: "fx_rates",
            baseUrl: fx.baseUrl,
            params: {},
            auth: { type: "apiKey", header: "X-Api-Key" },
            pagination: fx.pagination,
            recordsField: "data",
            incrementalField: "updated_at",
            windowParams: { start: "updated_since", end: "updated_before" },
            lookBackSeconds: 86_400,
            initialWindowSeconds: 604_800,
            rateLimitPerSecond: 5,
            timeoutSeconds: 10,
            maxAttempts: 5,
            maxPages: 10_000,
        });
        assert.deepStrictEqual([source?.schedule, source?.schedulePeriodSeconds, source?.secret, source?.memoryMb, source?.functionTimeoutSeconds], ["rate(1 hour)", 3_600, { name: "/platform-dev/api-sources/fx-rates" }, 256, 300]);
    });

    it("names the secret by name or by ARN", () => {
        const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:partner/fx-AbCdEf";
        const { reader, parsed } = parse({ "fx-rates": fx, other: { ...fx, auth: { type: "apiKey", header: "X-Api-Key", secretArn: arn } } });
        assert.deepStrictEqual(reader.problems, []);
        assert.deepStrictEqual(parsed.map((s) => s.secret), [{ name: "/platform-dev/api-sources/fx-rates" }, { arn }]);
    });

    it("rejects a source without a secret, saying how to provide one", () => {
        assert.deepStrictEqual(problemsOf({ "fx-rates": { ...fx, auth: { type: "apiKey", header: "X-Api-Key" } } }), [
            "platform:apiSources.fx-rates.auth.secretName: expected the Secrets Manager secret that holds the source's credentials (auth.secretName or auth.secretArn); found undefined. Fix: create it (README, Adding an API source) and set apiSources.fx-rates.auth.secretName",
        ]);
    });

    it("rejects a malformed URL, naming the field and the fix", () => {
        assert.deepStrictEqual(problemsOf({ "fx-rates": { ...fx, baseUrl: "fx-rates.example.com/v1" } }), [
            "platform:apiSources.fx-rates: expected valid API source settings; found platform:apiSources.fx-rates.baseUrl must be an https:// URL, found 'fx-rates.example.com/v1', which is not a URL; write it in full, for example https://api.frankfurter.app/v1/rates. Fix: correct the field named above (README, Adding an API source)",
        ]);
    });

    it("rejects plain http: TLS only", () => {
        assert.match(problemsOf({ "fx-rates": { ...fx, baseUrl: "http://fx-rates.example.com/v1/rates" } })[0] ?? "", /baseUrl must use https \(TLS only\), found 'http:'/);
    });

    it("rejects an unknown pagination style, listing the styles", () => {
        assert.match(problemsOf({ "fx-rates": { ...fx, pagination: { style: "links" } } })[0] ?? "", /pagination.style must be one of cursor, nextLink, page, offset, found "links"/);
    });

    it("rejects a style without its parameters", () => {
        assert.match(problemsOf({ "fx-rates": { ...fx, pagination: { style: "page", pageSize: 100, firstPage: 1 } } }).join("\n"), /pagination.pageParam is required for style page/);
    });

    it("rejects a schedule EventBridge would refuse, with the reason", () => {
        assert.deepStrictEqual(problemsOf({ "fx-rates": { ...fx, schedule: "cron(0 6 * * *)" } }), [
            'platform:apiSources.fx-rates.schedule: expected a schedule EventBridge Scheduler accepts: rate(1 hour), cron(0 6 * * ? *) or at(2027-01-01T00:00:00); found "cron(0 6 * * *)". Fix: cron needs 6 fields (minutes hours day-of-month month day-of-week year), found 5; set apiSources.fx-rates.schedule to, for example, rate(1 hour)',
        ]);
    });

    it("rejects a secret ARN that is not one, or from another region", () => {
        const auth = { type: "apiKey", header: "X-Api-Key" };
        assert.match(problemsOf({ "fx-rates": { ...fx, auth: { ...auth, secretArn: "fx-secret" } } })[0] ?? "", /auth.secretArn: expected a Secrets Manager secret ARN/);
        assert.match(problemsOf({ "fx-rates": { ...fx, auth: { ...auth, secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:fx-AbCdEf" } } })[0] ?? "", /expected a secret in the stack's region us-east-1/);
        assert.match(problemsOf({ "fx-rates": { ...fx, auth: { ...fx.auth, secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:fx-AbCdEf" } } })[0] ?? "", /expected one of secretArn and secretName/);
    });

    it("rejects an unknown dataset and an incremental field that is not a timestamp of it", () => {
        assert.match(problemsOf({ "fx-rates": { ...fx, dataset: "fx" } })[0] ?? "", /dataset: unknown dataset 'fx'; expected one of: orders, fx_rates, store_inventory/);
        assert.match(problemsOf({ "fx-rates": { ...fx, incrementalField: "rate" } })[0] ?? "", /incrementalField must name a timestamp field of dataset 'fx_rates' \(updated_at\), found 'rate'/);
    });
});

describe("EventBridge Scheduler expressions", () => {
    const cases: [string, number | undefined | string][] = [
        ["rate(1 hour)", 3_600],
        ["rate(15 minutes)", 900],
        ["rate(2 days)", 172_800],
        ["cron(5 * * * ? *)", 3_600],
        ["cron(0/10 * * * ? *)", 600],
        ["cron(0 6 ? * MON-FRI *)", 86_400],
        ["at(2027-01-01T00:00:00)", undefined],
        ["rate(1 hours)", "EventBridge wants 'hour' with 1 (singular only for 1)"],
        ["rate(5 minute)", "EventBridge wants 'minutes' with 5 (singular only for 1)"],
        ["rate(30 seconds)", "rate unit 'seconds' is not one of minute(s), hour(s), day(s)"],
        ["cron(0 6 * * MON *)", "cron needs '?' in exactly one of day-of-month and day-of-week"],
        ["at(2027-02-30T00:00:00)", "at(...) holds an impossible date"],
        ["every hour", "expected rate(N unit), cron(6 fields) or at(yyyy-mm-ddThh:mm:ss)"],
    ];
    for (const [expression, expected] of cases) {
        it(`${typeof expected === "string" ? "refuses" : "accepts"} ${expression}`, () => {
            const result = checkScheduleExpression(expression);
            assert.deepStrictEqual(result, typeof expected === "string" ? { problem: expected } : { periodSeconds: expected });
        });
    }
});
