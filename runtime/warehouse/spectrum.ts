import { WarehouseConfigError } from "./errors";
import { quoteIdentifier, quoteLiteral } from "./sql";

/** An external schema over a Glue Data Catalog database (Redshift Spectrum over the lake). */
export interface SpectrumSchemaOptions {
    /** The Redshift schema name to create, e.g. `lake`. */
    readonly schema: string;
    /** The Glue Data Catalog database holding the curated tables. */
    readonly catalogDatabase: string;
    /** Role(s) Redshift assumes to read the catalog and S3; several are chained in order. */
    readonly iamRoleArns: readonly string[];
    /** Region of the catalog. Defaults to the warehouse's region (omitted from the SQL). */
    readonly region?: string;
    /** Account that owns the catalog. Defaults to the warehouse's account (omitted). */
    readonly catalogId?: string;
}

const roleArnPattern = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/**
 * `CREATE EXTERNAL SCHEMA IF NOT EXISTS ... FROM DATA CATALOG DATABASE ... IAM_ROLE ...`: run once
 * per warehouse (idempotent). With Lake Formation, the role also needs LF grants on the database
 * and its tables.
 */
export function spectrumSchemaSql(options: SpectrumSchemaOptions): string {
    if (options.iamRoleArns.length === 0) {
        throw new WarehouseConfigError("spectrum schema needs at least one IAM role ARN");
    }
    for (const arn of options.iamRoleArns) {
        if (!roleArnPattern.test(arn)) {
            throw new WarehouseConfigError(`'${arn}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
        }
    }
    if (!/^[a-z0-9_]{1,255}$/.test(options.catalogDatabase)) {
        throw new WarehouseConfigError(`Glue database '${options.catalogDatabase}' must be lower case letters, digits and underscores`);
    }
    if (options.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(options.region)) {
        throw new WarehouseConfigError(`'${options.region}' is not an AWS region name (like us-east-1)`);
    }
    if (options.catalogId !== undefined && !/^\d{12}$/.test(options.catalogId)) {
        throw new WarehouseConfigError(`catalog id '${options.catalogId}' must be a 12-digit AWS account id`);
    }
    const parts = [
        `CREATE EXTERNAL SCHEMA IF NOT EXISTS ${quoteIdentifier(options.schema)}`,
        `FROM DATA CATALOG DATABASE ${quoteLiteral(options.catalogDatabase)}`,
    ];
    if (options.region !== undefined) {
        parts.push(`REGION ${quoteLiteral(options.region)}`);
    }
    parts.push(`IAM_ROLE ${quoteLiteral(options.iamRoleArns.join(","))}`);
    if (options.catalogId !== undefined) {
        parts.push(`CATALOG_ID ${quoteLiteral(options.catalogId)}`);
    }
    return parts.join("\n");
}
