import * as aws from "@pulumi/aws";
import * as glue from "../../../../policies/glue";
import * as lakeformation from "../../../../policies/lakeformation";
import { fixture } from "../helpers";
import { fails, passes, PolicyCase } from "./types";

const keyArn = "arn:aws:kms:us-east-1:123456789012:key/mrk-lake";
const rawBucket = fixture(aws.s3.Bucket, "lake-raw", {}, { outputs: { bucket: "platform-raw", id: "platform-raw", arn: "arn:aws:s3:::platform-raw" } });
const database = (createTableDefaultPermissions: { permissions?: string[]; principal?: { dataLakePrincipalIdentifier?: string } }[] | null = []) =>
    fixture(aws.glue.CatalogDatabase, "catalog-raw", { name: "platform_raw", locationUri: "s3://platform-raw/", ...(createTableDefaultPermissions ? { createTableDefaultPermissions } : {}) });
const table = fixture(aws.glue.CatalogTable, "catalog-raw-orders", { name: "orders", databaseName: "platform_raw", storageDescriptor: { location: "s3://platform-raw/orders/" } });
const registration = (hybridAccessEnabled = false) => fixture(aws.lakeformation.Resource, "catalog-raw-location", { arn: "arn:aws:s3:::platform-raw", roleArn: "arn:aws:iam::123456789012:role/lf", hybridAccessEnabled });
const grant = (permissions: string[], principal = "arn:aws:iam::123456789012:role/warehouse") =>
    fixture(aws.lakeformation.Permissions, "grant", { principal, permissions, table: { databaseName: "platform_curated", wildcard: true } });

const lakeKeyArn = "arn:aws:kms:us-east-1:123456789012:key/lake-in-stack";
const lakeKey = fixture(aws.kms.Key, "lake-key", { enableKeyRotation: true }, { outputs: { arn: lakeKeyArn, keyId: "lake-in-stack", id: "lake-in-stack" } });
const catalogSettings = (key: string, passwordsEncrypted = true) =>
    fixture(aws.glue.DataCatalogEncryptionSettings, "catalog-encryption", {
        dataCatalogEncryptionSettings: { encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: key }, connectionPasswordEncryption: { returnConnectionPasswordEncrypted: passwordsEncrypted, awsKmsKeyId: key } },
    });

export const catalogCases: PolicyCase[] = [
    passes(
        glue.glueDataCatalogEncryption,
        "SSE-KMS with the lake key, encrypted connection passwords",
        fixture(aws.glue.DataCatalogEncryptionSettings, "settings", {
            dataCatalogEncryptionSettings: { encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: keyArn }, connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: keyArn } },
        }),
    ),
    fails(
        glue.glueDataCatalogEncryption,
        "metadata unencrypted",
        fixture(aws.glue.DataCatalogEncryptionSettings, "settings", {
            dataCatalogEncryptionSettings: { encryptionAtRest: { catalogEncryptionMode: "DISABLED" }, connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true } },
        }),
        /catalogEncryptionMode must be SSE-KMS; found "DISABLED"/,
    ),
    passes(glue.glueDataCatalogEncryptionDeclared, "settings with the stack's lake key", [lakeKey, database(), catalogSettings(lakeKeyArn)]),
    passes(glue.glueDataCatalogEncryptionDeclared, "no catalog resources, no settings needed", [lakeKey]),
    fails(glue.glueDataCatalogEncryptionDeclared, "databases without settings", [lakeKey, database(), table], /declares no aws.glue.DataCatalogEncryptionSettings, so their metadata and any connection passwords are stored unencrypted/),
    fails(glue.glueDataCatalogEncryptionDeclared, "settings with a key from outside the stack", [lakeKey, database(), catalogSettings(keyArn)], /encryptionAtRest.sseAwsKmsKeyId must name a KMS key declared in this stack/),
    fails(
        glue.glueDataCatalogEncryptionDeclared,
        "settings leaving connection passwords in the clear",
        [lakeKey, database(), catalogSettings(lakeKeyArn, false)],
        /connectionPasswordEncryption.returnConnectionPasswordEncrypted must be true; found false/,
    ),
    passes(
        glue.glueSecurityConfigurationEncryption,
        "KMS everywhere",
        fixture(aws.glue.SecurityConfiguration, "sc", {
            encryptionConfiguration: {
                s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: keyArn },
                cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: keyArn },
                jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: keyArn },
            },
        }),
    ),
    fails(
        glue.glueSecurityConfigurationEncryption,
        "bookmarks unencrypted",
        fixture(aws.glue.SecurityConfiguration, "sc", {
            encryptionConfiguration: { s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: keyArn }, cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: keyArn }, jobBookmarksEncryption: { jobBookmarksEncryptionMode: "DISABLED" } },
        }),
        /jobBookmarksEncryptionMode must be CSE-KMS/,
    ),
    passes(glue.glueJobSecurityConfiguration, "a job with a security configuration", fixture(aws.glue.Job, "job", { roleArn: "arn:aws:iam::123456789012:role/g", command: { scriptLocation: "s3://a/b.py" }, securityConfiguration: "sc" })),
    fails(glue.glueJobSecurityConfiguration, "a crawler without one", fixture(aws.glue.Crawler, "crawler", { databaseName: "db", role: "r", s3Targets: [{ path: "s3://a/" }] }), /securityConfiguration must name a Glue security configuration/),
    passes(glue.glueJobTimeout, "a two-hour timeout", fixture(aws.glue.Job, "job", { roleArn: "r", command: { scriptLocation: "s3://a/b.py" }, timeout: 120 })),
    fails(glue.glueJobTimeout, "no timeout (Glue's 48 hours)", fixture(aws.glue.Job, "job", { roleArn: "r", command: { scriptLocation: "s3://a/b.py" } }), /timeout must be set \(at most 720 minutes\); none is set/),
    fails(glue.glueJobTimeout, "a timeout above the configured maximum", fixture(aws.glue.Job, "job", { roleArn: "r", command: { scriptLocation: "s3://a/b.py" }, timeout: 240 }), /timeout must be at most 180 minutes; found 240/, { maximumTimeoutMinutes: 180 }),
    passes(
        glue.glueJobObservability,
        "metrics and continuous logging",
        fixture(aws.glue.Job, "job", { roleArn: "r", command: { name: "glueetl", scriptLocation: "s3://a/b.py" }, defaultArguments: { "--enable-metrics": "true", "--enable-continuous-cloudwatch-log": "true" } }),
    ),
    fails(
        glue.glueJobObservability,
        "no continuous logging",
        fixture(aws.glue.Job, "job", { roleArn: "r", command: { name: "glueetl", scriptLocation: "s3://a/b.py" }, defaultArguments: { "--enable-metrics": "true" } }),
        /defaultArguments\["--enable-continuous-cloudwatch-log"\] must be "true"; found nothing/,
    ),
    passes(glue.glueCrawlerSchemaChangeLogged, "LOG for updates and deletes", fixture(aws.glue.Crawler, "crawler", { databaseName: "db", role: "r", schemaChangePolicy: { updateBehavior: "LOG", deleteBehavior: "LOG" } })),
    fails(glue.glueCrawlerSchemaChangeLogged, "Glue's default policy (unset)", fixture(aws.glue.Crawler, "crawler", { databaseName: "db", role: "r" }), /updateBehavior must be LOG; found nothing \(unset means UPDATE_IN_DATABASE\)/),
    fails(
        glue.glueCrawlerSchemaChangeLogged,
        "deleting tables from the database",
        fixture(aws.glue.Crawler, "crawler", { databaseName: "db", role: "r", schemaChangePolicy: { updateBehavior: "LOG", deleteBehavior: "DELETE_FROM_DATABASE" } }),
        /deleteBehavior must be LOG; found "DELETE_FROM_DATABASE"/,
    ),

    passes(lakeformation.lakeformationPermissionsNoAll, "SELECT and DESCRIBE", grant(["SELECT", "DESCRIBE"])),
    fails(lakeformation.lakeformationPermissionsNoAll, "ALL", grant(["ALL"]), /must list explicit permissions, not ALL/),

    passes(lakeformation.lakeformationIamAllowedPrincipalsRemoved, "a database with no default table grants", database()),
    passes(lakeformation.lakeformationIamAllowedPrincipalsRemoved, "data lake settings with no defaults", fixture(aws.lakeformation.DataLakeSettings, "settings", { admins: ["arn:aws:iam::123456789012:role/a"], createDatabaseDefaultPermissions: [], createTableDefaultPermissions: [] })),
    fails(lakeformation.lakeformationIamAllowedPrincipalsRemoved, "a database leaving Glue's default (IAMAllowedPrincipals ALL)", database(null), /createTableDefaultPermissions must be \[\]/),
    fails(
        lakeformation.lakeformationIamAllowedPrincipalsRemoved,
        "settings granting IAMAllowedPrincipals on new tables",
        fixture(aws.lakeformation.DataLakeSettings, "settings", { createDatabaseDefaultPermissions: [], createTableDefaultPermissions: [{ principal: "IAM_ALLOWED_PRINCIPALS", permissions: ["ALL"] }] }),
        /createTableDefaultPermissions must be \[\] so new tables get no IAMAllowedPrincipals grant/,
    ),
    fails(lakeformation.lakeformationIamAllowedPrincipalsRemoved, "a grant to IAM_ALLOWED_PRINCIPALS", grant(["SELECT"], "IAM_ALLOWED_PRINCIPALS"), /not IAM_ALLOWED_PRINCIPALS/),

    passes(lakeformation.lakeformationDataLocationRegistered, "the database's bucket is registered", [rawBucket, database(), table, registration()]),
    fails(lakeformation.lakeformationDataLocationRegistered, "an unregistered location", [rawBucket, database(), table], /points at "s3:\/\/platform-raw\/", whose bucket must be registered/),
    fails(lakeformation.lakeformationDataLocationRegistered, "registration in hybrid access mode", [rawBucket, database(), table, registration(true)], /must not enable hybrid access mode/),
];
