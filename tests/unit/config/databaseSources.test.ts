import * as assert from "assert";
import { capturedDatasets, databaseSourceKeys, parseDatabaseSource } from "../../../infra/config/databaseSources";
import { customers } from "../../../runtime/datasets";
import { parseClean, readArea, rejectsEach } from "./helpers";

const secretArn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:shop-cdc-AbCdEf";
const caArn = "arn:aws:dms:us-east-1:111122223333:cert:RDSCA2026";
const base = { dbSourceEngine: "postgres", dbSourceEndpoint: "db.example.com", dbSourceDatabase: "shop", dbSourceSecretArn: secretArn, dbSourceTables: '["public.customers=customers"]', dbSourceCaCertificateArn: caArn };

describe("config area: database sources", () => {
    it("declares no source when dbSourceEngine is empty", () => {
        assert.strictEqual(parseClean(databaseSourceKeys, (r) => parseDatabaseSource(r)), undefined);
    });

    it("parses a source with an existing secret, verify-full TLS by default and the dataset's key", () => {
        const parsed = parseClean(databaseSourceKeys, (r) => parseDatabaseSource(r), base);
        assert.deepStrictEqual(parsed, {
            engine: "postgres",
            endpoint: "db.example.com",
            port: 5432,
            database: "shop",
            credentials: { kind: "existing", secretArn },
            tlsMode: "verify-full",
            caCertificateArn: caArn,
            tables: [{ schema: "public", table: "customers", dataset: customers, key: ["id"] }],
        });
    });

    it("creates the secret from a username and a password set as a config secret", () => {
        const reader = readArea(databaseSourceKeys, { ...base, dbSourceSecretArn: "", dbSourceUsername: "cdc", dbSourcePassword: "s3cret" }, { secretKeys: ["dbSourcePassword"] });
        const parsed = parseDatabaseSource(reader);
        assert.deepStrictEqual(reader.problems, []);
        assert.deepStrictEqual(parsed?.credentials, { kind: "create", username: "cdc", password: "s3cret" });
    });

    it("rejects a password in plain config, naming the key and the fix", () => {
        const reader = readArea(databaseSourceKeys, { ...base, dbSourceSecretArn: "", dbSourceUsername: "cdc", dbSourcePassword: "plain" });
        parseDatabaseSource(reader);
        assert.deepStrictEqual(reader.problems, [
            { key: "platform:dbSourcePassword", expected: "a secret value", found: "a plain-text value", fix: "remove it with pulumi config rm platform:dbSourcePassword, then pulumi config set --secret platform:dbSourcePassword <password>" },
        ]);
    });

    it("accepts a declared key for a table mapping", () => {
        const parsed = parseClean(databaseSourceKeys, (r) => parseDatabaseSource(r), { ...base, dbSourceTables: '["crm.clients=customers:email"]' });
        assert.deepStrictEqual(parsed?.tables.map((t) => [t.schema, t.table, t.key]), [["crm", "clients", ["email"]]]);
    });

    it("hands the captured datasets on once each, keyed as their mappings declare", () => {
        const parsed = parseClean(databaseSourceKeys, (r) => parseDatabaseSource(r), { ...base, dbSourceTables: '["crm.clients=customers:id+created_at","eu.clients=customers:id+created_at"]' });
        const datasets = capturedDatasets(parsed);
        assert.deepStrictEqual(datasets.map((d) => [d.name, d.key]), [["customers", ["id", "created_at"]]]);
        assert.deepStrictEqual(customers.key, ["id"], "the definition itself is left alone");
        assert.deepStrictEqual(capturedDatasets(parseClean(databaseSourceKeys, (r) => parseDatabaseSource(r), base)).map((d) => d.key), [["id"]]);
        assert.deepStrictEqual(capturedDatasets(undefined), []);
    });

    it("keeps the zero-ETL cluster and its Aurora engine", () => {
        const parsed = parseClean(databaseSourceKeys, (r) => parseDatabaseSource(r), { ...base, dbSourceEngine: "aurora-postgresql", dbSourceZeroEtl: "true", dbSourceClusterArn: "arn:aws:rds:us-east-1:111122223333:cluster:shop" });
        assert.deepStrictEqual(parsed?.zeroEtl, { clusterArn: "arn:aws:rds:us-east-1:111122223333:cluster:shop", engine: "aurora-postgresql" });
    });

    rejectsEach(databaseSourceKeys, (r) => parseDatabaseSource(r), [
        {
            title: "two tables of one dataset with different keys",
            values: { ...base, dbSourceTables: '["public.customers=customers","crm.clients=customers:id+created_at"]' },
            problem: {
                key: "platform:dbSourceTables",
                expected: "every table mapped to dataset 'customers' with the same key (public.customers keys it on id)",
                found: '"crm.clients=customers:id+created_at"',
                fix: "declare =customers:id on crm.clients too, or map it to another dataset",
            },
        },
        {
            title: "a source without a secret",
            values: { ...base, dbSourceSecretArn: "" },
            problem: {
                key: "platform:dbSourceSecretArn",
                expected: "the Secrets Manager secret with the source's credentials (or dbSourceUsername with a secret dbSourcePassword)",
                found: "no secret",
                fix: "pulumi config set platform:dbSourceSecretArn <secret ARN>, or pulumi config set platform:dbSourceUsername <user> and pulumi config set --secret platform:dbSourcePassword <password>",
            },
        },
        {
            title: "an unsupported engine",
            values: { ...base, dbSourceEngine: "oracle" },
            problem: { key: "platform:dbSourceEngine", expected: "one of postgres, mysql, aurora-postgresql, aurora-mysql", found: '"oracle"', fix: "pulumi config set platform:dbSourceEngine postgres" },
        },
        {
            title: "a table mapped to no dataset",
            values: { ...base, dbSourceTables: '["public.customers"]' },
            problem: {
                key: "platform:dbSourceTables",
                expected: "each entry as schema.table=dataset or schema.table=dataset:key1+key2 (a table mapped to no dataset cannot be captured)",
                found: '"public.customers"',
                fix: 'pulumi config set platform:dbSourceTables \'["public.customers=customers"]\'',
            },
        },
        {
            title: "a table mapped to an unknown dataset",
            values: { ...base, dbSourceTables: '["public.clients=clients"]' },
            problem: {
                key: "platform:dbSourceTables",
                expected: "table public.clients mapped to a database dataset (one of customers)",
                found: '"public.clients=clients"',
                fix: "map the table to a dataset of runtime/datasets (databaseDatasets), or add its definition",
            },
        },
        {
            title: "a table key the dataset does not declare",
            values: { ...base, dbSourceTables: '["public.clients=customers:client_no"]' },
            problem: {
                key: "platform:dbSourceTables",
                expected: "table public.clients: key columns that dataset 'customers' declares",
                found: '"unknown column(s) client_no"',
                fix: 'pulumi config set platform:dbSourceTables \'["public.customers=customers"]\'',
            },
        },
        {
            title: "TLS that does not verify",
            values: { ...base, dbSourceTlsMode: "none" },
            problem: { key: "platform:dbSourceTlsMode", expected: "one of verify-full, verify-ca, require", found: '"none"', fix: "pulumi config set platform:dbSourceTlsMode verify-full" },
        },
        {
            title: "zero-ETL for a non-Aurora engine",
            values: { ...base, dbSourceZeroEtl: "true" },
            problem: { key: "platform:dbSourceZeroEtl", expected: "false unless the engine is aurora-postgresql or aurora-mysql (zero-ETL integrates Aurora clusters)", found: "true", fix: "pulumi config set platform:dbSourceZeroEtl false" },
        },
    ]);
});
