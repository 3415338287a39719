import * as assert from "assert";
import { datasets, databaseDatasets } from "../../../runtime/datasets";
import { lakeDataPrefixes, lineageKeys, overlappingDataPrefix, parseLineage } from "../../../infra/config/lineage";
import { ConfigReader } from "../../../infra/config/reader";
import { parseClean, readArea, rejectsEach } from "./helpers";

const context = { project: "platform", stack: "dev", region: "us-east-1", dataPrefixes: lakeDataPrefixes([...datasets, ...databaseDatasets]) };
const parse = (reader: ConfigReader) => parseLineage(reader, context);
const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:lineage-api-key-AbCdEf";
const endpoint = "https://marquez.example.com/api/v1/lineage";

describe("config area: lineage", () => {
    it("is on by default, under lineage/ of the raw bucket, in the <project>-<stack> namespace, with no endpoint", () => {
        assert.deepStrictEqual(parseClean(lineageKeys, parse), { enabled: true, prefix: "lineage", namespace: "platform-dev" });
    });

    it("can be switched off", () => {
        assert.strictEqual(parseClean(lineageKeys, parse, { lineageEnabled: "false" }).enabled, false);
    });

    it("accepts a nested prefix and a namespace of the stack's choosing", () => {
        const parsed = parseClean(lineageKeys, parse, { lineagePrefix: "ops/lineage", lineageNamespace: "shop.etl-dev" });
        assert.deepStrictEqual([parsed.prefix, parsed.namespace], ["ops/lineage", "shop.etl-dev"]);
    });

    it("posts to an https endpoint with the API key of an existing secret", () => {
        assert.deepStrictEqual(parseClean(lineageKeys, parse, { lineageHttpEndpoint: endpoint, lineageApiKeySecretArn: secretArn }).http, { endpoint, apiKey: { kind: "existing", secretArn } });
    });

    it("creates the secret from an API key set with --secret, naming the config key rather than holding the value", () => {
        const reader = readArea(lineageKeys, { lineageHttpEndpoint: endpoint, lineageApiKey: "k-123" }, { secretKeys: ["lineageApiKey"] });
        const parsed = parse(reader);
        assert.deepStrictEqual(reader.problems, []);
        assert.deepStrictEqual(parsed.http, { endpoint, apiKey: { kind: "create", configKey: "platform:lineageApiKey" } });
        assert.ok(!JSON.stringify(parsed).includes("k-123"));
    });

    it("posts to an endpoint without an API key when neither is set", () => {
        assert.deepStrictEqual(parseClean(lineageKeys, parse, { lineageHttpEndpoint: endpoint }).http, { endpoint });
    });

    it("rejects an API key given as plain text", () => {
        const reader = readArea(lineageKeys, { lineageHttpEndpoint: endpoint, lineageApiKey: "k-123" });
        parse(reader);
        assert.deepStrictEqual(reader.problems.map((p) => [p.key, p.expected]), [["platform:lineageApiKey", "a secret value"]]);
    });

    describe("lake data prefixes", () => {
        it("are each dataset's name and each aggregate's table name", () => {
            assert.deepStrictEqual(lakeDataPrefixes([...datasets, ...databaseDatasets]), ["orders", "orders_daily_sales_by_region", "fx_rates", "store_inventory", "store_inventory_daily_stock_by_store", "customers"]);
        });

        for (const [prefix, data, overlap] of [
            ["orders", ["orders"], "orders"],
            ["orders/lineage", ["orders"], "orders"],
            ["ops", ["ops/orders"], "ops/orders"],
            ["lineage", ["orders", "fx_rates"], undefined],
            ["order", ["orders"], undefined],
        ] as const) {
            it(`${prefix} against ${data.join(", ")}: ${overlap ? `overlaps ${overlap}` : "no overlap"}`, () => {
                assert.strictEqual(overlappingDataPrefix(prefix, data), overlap);
            });
        }
    });

    rejectsEach(lineageKeys, parse, [
        {
            title: "a prefix that is a dataset's",
            values: { lineagePrefix: "orders" },
            problem: {
                key: "platform:lineagePrefix",
                expected: `a prefix outside every dataset's raw, rejects and curated prefixes (${context.dataPrefixes.map((p) => `${p}/`).join(", ")})`,
                found: '"orders"',
                fix: "it shares keys with the data under orders/; pick another, for example pulumi config set platform:lineagePrefix lineage",
            },
        },
        {
            title: "a prefix inside a dataset's",
            values: { lineagePrefix: "customers/lineage" },
            problem: {
                key: "platform:lineagePrefix",
                expected: `a prefix outside every dataset's raw, rejects and curated prefixes (${context.dataPrefixes.map((p) => `${p}/`).join(", ")})`,
                found: '"customers/lineage"',
                fix: "it shares keys with the data under customers/; pick another, for example pulumi config set platform:lineagePrefix lineage",
            },
        },
        {
            title: "a prefix with a trailing slash",
            values: { lineagePrefix: "lineage/" },
            problem: {
                key: "platform:lineagePrefix",
                expected: "a key prefix of lower-case letters, digits, - and _ in /-separated segments, starting with a letter, without a leading or trailing /",
                found: '"lineage/"',
                fix: "pulumi config set platform:lineagePrefix lineage",
            },
        },
        {
            title: "a namespace with spaces",
            values: { lineageNamespace: "etl platform" },
            problem: { key: "platform:lineageNamespace", expected: "1 to 128 letters, digits, ., _ and -, starting with a letter or digit", found: '"etl platform"', fix: "pulumi config set platform:lineageNamespace etl-platform-dev" },
        },
        {
            title: "a plain http endpoint",
            values: { lineageHttpEndpoint: "http://marquez.internal:5000/api/v1/lineage" },
            problem: {
                key: "platform:lineageHttpEndpoint",
                expected: "an https URL such as https://marquez.example.com/api/v1/lineage (events leave the VPC encrypted only)",
                found: '"http://marquez.internal:5000/api/v1/lineage"',
                fix: "pulumi config set platform:lineageHttpEndpoint https://marquez.example.com/api/v1/lineage",
            },
        },
        {
            title: "an endpoint while lineage is off",
            values: { lineageEnabled: "false", lineageHttpEndpoint: endpoint },
            problem: { key: "platform:lineageHttpEndpoint", expected: "no endpoint while lineageEnabled is false", found: `"${endpoint}"`, fix: "pulumi config rm platform:lineageHttpEndpoint, or pulumi config set platform:lineageEnabled true" },
        },
        {
            title: "an API key secret without an endpoint",
            values: { lineageApiKeySecretArn: secretArn },
            problem: {
                key: "platform:lineageApiKeySecretArn",
                expected: "an API key only together with lineageHttpEndpoint (it authenticates the endpoint)",
                found: `"${secretArn}"`,
                fix: "pulumi config set platform:lineageHttpEndpoint <https URL>, or pulumi config rm platform:lineageApiKeySecretArn",
            },
        },
        {
            title: "a secret ARN that is not one",
            values: { lineageHttpEndpoint: endpoint, lineageApiKeySecretArn: "lineage-api-key" },
            problem: {
                key: "platform:lineageApiKeySecretArn",
                expected: "a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
                found: '"lineage-api-key"',
                fix: "copy the ARN from the secret, or set the key itself with pulumi config set --secret platform:lineageApiKey",
            },
        },
        {
            title: "a secret in another region",
            values: { lineageHttpEndpoint: endpoint, lineageApiKeySecretArn: secretArn.replace("us-east-1", "eu-west-1") },
            problem: {
                key: "platform:lineageApiKeySecretArn",
                expected: "a secret in the stack's region us-east-1",
                found: `"${secretArn.replace("us-east-1", "eu-west-1")}"`,
                fix: "replicate the secret to the stack's region and use that ARN",
            },
        },
    ]);

    it("rejects both a secret ARN and an API key, naming both keys in the fix", () => {
        const reader = readArea(lineageKeys, { lineageHttpEndpoint: endpoint, lineageApiKeySecretArn: secretArn, lineageApiKey: "k" }, { secretKeys: ["lineageApiKey"] });
        parse(reader);
        assert.deepStrictEqual(reader.problems, [
            { key: "platform:lineageApiKey", expected: "one of lineageApiKeySecretArn and lineageApiKey", found: '"both"', fix: "keep one: pulumi config rm platform:lineageApiKey, or pulumi config rm platform:lineageApiKeySecretArn" },
        ]);
    });
});
