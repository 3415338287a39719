/**
 * The operational database captured into the lake by change data capture (infra/databases,
 * runtime/cdc). One source per stack, declared with flat keys like every other area; no source
 * when `dbSourceEngine` is empty.
 */
import { databaseDatasets, DatasetDefinition } from "../../runtime/datasets";
import { ConfigKey, ConfigReader, configNamespace } from "./reader";

export const databaseSourceEngines = ["postgres", "mysql", "aurora-postgresql", "aurora-mysql"] as const;
export type DatabaseSourceEngine = (typeof databaseSourceEngines)[number];
export const databaseTlsModes = ["verify-full", "verify-ca", "require"] as const;
export type DatabaseTlsMode = (typeof databaseTlsModes)[number];

export const databaseSourceKeys: readonly ConfigKey[] = [
    { name: "dbSourceEngine", type: "string", default: "", example: "postgres", description: "Engine of the captured operational database: postgres, mysql, aurora-postgresql or aurora-mysql (RDS, Aurora or self-managed). Empty: no database source." },
    { name: "dbSourceEndpoint", type: "string", default: "", example: "orders-db.cluster-abc.us-east-1.rds.amazonaws.com", description: "Host name of the source database, reachable from the private subnets." },
    { name: "dbSourcePort", type: "integer", default: 5432, example: "3306", description: "TCP port of the source database; the replication's security group reaches only this port." },
    { name: "dbSourceDatabase", type: "string", default: "", example: "shop", description: "Database name on the source." },
    { name: "dbSourceSecretArn", type: "string", default: "", example: "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-cdc-AbCdEf", description: "Secrets Manager secret with the replication user's credentials (username, password). Set this, or dbSourceUsername and dbSourcePassword to have the stack create the secret." },
    { name: "dbSourceUsername", type: "string", default: "", example: "cdc_reader", description: "Replication user, when the stack creates the secret from dbSourcePassword." },
    { name: "dbSourcePassword", type: "string", default: "", secret: true, example: "<password>", description: "Replication user's password, when the stack creates the secret. A secret: set it with `pulumi config set --secret`; never plain text." },
    { name: "dbSourceTlsMode", type: "string", default: "verify-full", example: "verify-full", description: "TLS to the source: verify-full (default: encrypt and verify the certificate and host name), verify-ca or require." },
    { name: "dbSourceCaCertificateArn", type: "string", default: "", example: "arn:aws:dms:us-east-1:123456789012:cert:ABCDEFGHIJKLMNOP", description: "DMS certificate (the source's CA bundle, e.g. the RDS CA) that verify-full and verify-ca check the server against; required for those modes." },
    { name: "dbSourceTables", type: "array", default: [], example: '["public.customers=customers"]', description: "Captured tables, each schema.table=dataset, optionally =dataset:key1+key2 for a table without a primary key (the landing, the CDC apply and the warehouse MERGE then key on it; every table of one dataset declares the same key). The dataset must be a database dataset of runtime/datasets." },
    { name: "dbSourceZeroEtl", type: "boolean", default: false, example: "true", description: "Also declare an Aurora-to-Redshift zero-ETL integration of the captured tables into the warehouse (aurora-* engines with dbSourceClusterArn; serverless or provisioned warehouse). Turns on enable_case_sensitive_identifier in the warehouse." },
    { name: "dbSourceClusterArn", type: "string", default: "", example: "arn:aws:rds:us-east-1:123456789012:cluster:shop", description: "ARN of the Aurora cluster, for the zero-ETL integration." },
];

export interface CapturedTableConfig {
    readonly schema: string;
    readonly table: string;
    readonly dataset: DatasetDefinition;
    /** The columns identifying a row: the dataset key, or the key declared in the mapping. */
    readonly key: readonly string[];
}

export interface DatabaseSourceConfig {
    readonly engine: DatabaseSourceEngine;
    readonly endpoint: string;
    readonly port: number;
    readonly database: string;
    /** An existing secret, or the credentials to create one from (the password is a config secret). */
    readonly credentials: { readonly kind: "existing"; readonly secretArn: string } | { readonly kind: "create"; readonly username: string; readonly password: string };
    readonly tlsMode: DatabaseTlsMode;
    /** The DMS certificate the server is verified against (verify-full, verify-ca). */
    readonly caCertificateArn?: string;
    readonly tables: readonly CapturedTableConfig[];
    /** The Aurora-to-Redshift zero-ETL integration (`dbSourceZeroEtl`): the cluster and its (Aurora) engine. */
    readonly zeroEtl?: { readonly clusterArn: string; readonly engine: "aurora-postgresql" | "aurora-mysql" };
}

const mappingPattern = /^([a-z_][a-z0-9_$]*)\.([a-z_][a-z0-9_$]*)=([a-z][a-z0-9_]*)(?::([a-z_][a-z0-9_]*(?:\+[a-z_][a-z0-9_]*)*))?$/;

/** Parses the database source, or undefined when the stack declares none. Every problem names its key. */
export function parseDatabaseSource(reader: ConfigReader, datasets: readonly DatasetDefinition[] = databaseDatasets): DatabaseSourceConfig | undefined {
    const engineText = reader.str("dbSourceEngine");
    if (engineText === "") {
        return undefined;
    }
    if (!(databaseSourceEngines as readonly string[]).includes(engineText)) {
        reader.fail("dbSourceEngine", `one of ${databaseSourceEngines.join(", ")}`, engineText, `pulumi config set ${configNamespace}:dbSourceEngine postgres`);
    }
    const engine = engineText as DatabaseSourceEngine;
    const endpoint = reader.str("dbSourceEndpoint");
    if (!/^[A-Za-z0-9.-]{1,253}$/.test(endpoint)) {
        reader.fail("dbSourceEndpoint", "the source's host name", endpoint);
    }
    const port = reader.range("dbSourcePort", 1, 65535);
    const database = reader.str("dbSourceDatabase");
    if (database === "") {
        reader.fail("dbSourceDatabase", "the database name on the source", database);
    }
    const secretArn = reader.str("dbSourceSecretArn");
    const username = reader.str("dbSourceUsername");
    const password = reader.str("dbSourcePassword");
    let credentials: DatabaseSourceConfig["credentials"] = { kind: "existing", secretArn };
    if (secretArn !== "") {
        if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/.test(secretArn)) {
            reader.fail("dbSourceSecretArn", "a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)", secretArn);
        }
        if (password !== "") {
            reader.fail("dbSourcePassword", "no password when dbSourceSecretArn names the secret", "a password as well", `pulumi config rm ${configNamespace}:dbSourcePassword`);
        }
    } else if (password !== "" && username !== "") {
        credentials = { kind: "create", username, password };
    } else {
        reader.report({
            key: `${configNamespace}:dbSourceSecretArn`,
            expected: "the Secrets Manager secret with the source's credentials (or dbSourceUsername with a secret dbSourcePassword)",
            found: "no secret",
            fix: `pulumi config set ${configNamespace}:dbSourceSecretArn <secret ARN>, or pulumi config set ${configNamespace}:dbSourceUsername <user> and pulumi config set --secret ${configNamespace}:dbSourcePassword <password>`,
        });
    }
    const tlsMode = reader.str("dbSourceTlsMode");
    if (!(databaseTlsModes as readonly string[]).includes(tlsMode)) {
        reader.fail("dbSourceTlsMode", `one of ${databaseTlsModes.join(", ")}`, tlsMode, `pulumi config set ${configNamespace}:dbSourceTlsMode verify-full`);
    }
    const caCertificateArn = reader.str("dbSourceCaCertificateArn");
    if (tlsMode.startsWith("verify-") && !/^arn:aws[a-z-]*:dms:[a-z0-9-]+:\d{12}:cert:[A-Za-z0-9-]+$/.test(caCertificateArn)) {
        reader.fail("dbSourceCaCertificateArn", `a DMS certificate ARN (arn:aws:dms:<region>:<account>:cert:<id>) to verify the server against (dbSourceTlsMode is ${tlsMode})`, caCertificateArn);
    }
    const tables: CapturedTableConfig[] = [];
    const mappings = reader.list("dbSourceTables");
    if (mappings.length === 0) {
        reader.fail("dbSourceTables", "at least one table mapped to a dataset (schema.table=dataset)", mappings);
    }
    for (const mapping of mappings) {
        const match = mappingPattern.exec(mapping);
        if (!match) {
            reader.fail("dbSourceTables", `each entry as schema.table=dataset or schema.table=dataset:key1+key2 (a table mapped to no dataset cannot be captured)`, mapping);
            continue;
        }
        const [, schema, table, datasetName, declaredKey] = match as unknown as [string, string, string, string, string | undefined];
        const dataset = datasets.find((d) => d.name === datasetName);
        if (!dataset) {
            reader.fail("dbSourceTables", `table ${schema}.${table} mapped to a database dataset (one of ${datasets.map((d) => d.name).join(", ") || "none"})`, mapping, "map the table to a dataset of runtime/datasets (databaseDatasets), or add its definition");
            continue;
        }
        const key = declaredKey ? declaredKey.split("+") : [...dataset.key];
        if (key.length === 0) {
            reader.fail("dbSourceTables", `table ${schema}.${table}: a key (the dataset's, or =${datasetName}:column)`, mapping);
            continue;
        }
        const unknown = key.filter((column) => !dataset.fields.some((field) => field.name === column));
        if (unknown.length > 0) {
            reader.fail("dbSourceTables", `table ${schema}.${table}: key columns that dataset '${datasetName}' declares`, `unknown column(s) ${unknown.join(", ")}`);
            continue;
        }
        const earlier = tables.find((t) => t.dataset.name === datasetName);
        if (earlier && earlier.key.join("+") !== key.join("+")) {
            // One curated table and one warehouse table per dataset: they can have only one key.
            reader.fail(
                "dbSourceTables",
                `every table mapped to dataset '${datasetName}' with the same key (${earlier.schema}.${earlier.table} keys it on ${earlier.key.join("+")})`,
                mapping,
                `declare =${datasetName}:${earlier.key.join("+")} on ${schema}.${table} too, or map it to another dataset`,
            );
            continue;
        }
        tables.push({ schema, table, dataset, key });
    }
    let zeroEtl: DatabaseSourceConfig["zeroEtl"];
    if (reader.bool("dbSourceZeroEtl")) {
        const clusterArn = reader.str("dbSourceClusterArn");
        if (!engine.startsWith("aurora-")) {
            reader.fail("dbSourceZeroEtl", "false unless the engine is aurora-postgresql or aurora-mysql (zero-ETL integrates Aurora clusters)", true, `pulumi config set ${configNamespace}:dbSourceZeroEtl false`);
        } else if (!/^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:cluster:[a-z][a-z0-9-]*$/.test(clusterArn)) {
            reader.fail("dbSourceClusterArn", "the Aurora cluster ARN (arn:aws:rds:<region>:<account>:cluster:<name>) for the zero-ETL integration", clusterArn);
        } else {
            zeroEtl = { clusterArn, engine: engine as "aurora-postgresql" | "aurora-mysql" };
        }
    }
    return { engine, endpoint, port, database, credentials, tlsMode: tlsMode as DatabaseTlsMode, ...(caCertificateArn ? { caCertificateArn } : {}), tables, ...(zeroEtl ? { zeroEtl } : {}) };
}

/**
 * The captured datasets, once each, with the key their table mappings declare in place of the
 * definition's: what the CDC apply's spec, the warehouse sync and the catalog are built from.
 * Every mapping of one dataset has the same key (parseDatabaseSource checks it).
 */
export function capturedDatasets(source: DatabaseSourceConfig | undefined): DatasetDefinition[] {
    const byName = new Map<string, DatasetDefinition>();
    for (const table of source?.tables ?? []) {
        if (!byName.has(table.dataset.name)) {
            byName.set(table.dataset.name, { ...table.dataset, key: [...table.key] });
        }
    }
    return [...byName.values()];
}
