import * as aws from "@pulumi/aws";
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { bucketName, bucketNames, label, ofType, prop } from "./lib/stack";
import { asList, isKnown, probe, show } from "./lib/values";

const broadPermissions = ["ALL", "SUPER"];

/** @severity high */
export const lakeformationPermissionsNoAll: ResourceValidationPolicy = {
    name: "lakeformation-permissions-no-all",
    description: "Checks whether Lake Formation grants name explicit permissions (SELECT, DESCRIBE, ...) instead of ALL, with or without grant option.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["security", "governance", "lakeformation"],
    remediationSteps: "Replace ALL with the permissions the principal needs, e.g. [\"SELECT\", \"DESCRIBE\"] on tables and [\"DESCRIBE\"] on the database.",
    validateResource: validateResourceOfType(aws.lakeformation.Permissions, (grant, _args, reportViolation) => {
        const broad = asList(grant.permissions).filter((p) => broadPermissions.includes(p));
        const broadGrant = asList(grant.permissionsWithGrantOptions).filter((p) => broadPermissions.includes(p));
        if (broad.length > 0) {
            reportViolation(`permissions must list explicit permissions, not ${broad.join(", ")}.`);
        }
        if (broadGrant.length > 0) {
            reportViolation(`permissionsWithGrantOptions must not include ${broadGrant.join(", ")}.`);
        }
    }),
};

const iamAllowedPrincipals = "IAM_ALLOWED_PRINCIPALS";

function grantsToIamAllowedPrincipals(defaults: readonly { principal?: string }[] | undefined): boolean {
    return asList(defaults).some((d) => d.principal === iamAllowedPrincipals);
}

/** @severity high */
export const lakeformationIamAllowedPrincipalsRemoved: ResourceValidationPolicy = {
    name: "lakeformation-iam-allowed-principals-removed",
    description:
        "Checks whether Lake Formation governs the catalog alone: no default IAMAllowedPrincipals grants in the data lake settings or on new tables of a database, and no explicit grant to IAM_ALLOWED_PRINCIPALS.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["security", "governance", "lakeformation"],
    remediationSteps:
        "Set createDatabaseDefaultPermissions and createTableDefaultPermissions to [] on the data lake settings, createTableDefaultPermissions to [] on every catalog database, and grant named principals instead of IAM_ALLOWED_PRINCIPALS.",
    validateResource: [
        validateResourceOfType(aws.lakeformation.DataLakeSettings, (settings, _args, reportViolation) => {
            if (settings.createDatabaseDefaultPermissions === undefined || grantsToIamAllowedPrincipals(settings.createDatabaseDefaultPermissions)) {
                reportViolation("createDatabaseDefaultPermissions must be [] so new databases get no IAMAllowedPrincipals grant.");
            }
            if (settings.createTableDefaultPermissions === undefined || grantsToIamAllowedPrincipals(settings.createTableDefaultPermissions)) {
                reportViolation("createTableDefaultPermissions must be [] so new tables get no IAMAllowedPrincipals grant.");
            }
        }),
        validateResourceOfType(aws.glue.CatalogDatabase, (database, _args, reportViolation) => {
            if (database.createTableDefaultPermissions === undefined) {
                reportViolation("createTableDefaultPermissions must be [] (when absent, Glue grants IAMAllowedPrincipals ALL on every new table).");
            } else if (asList(database.createTableDefaultPermissions).some((p) => p.principal?.dataLakePrincipalIdentifier === iamAllowedPrincipals)) {
                reportViolation("createTableDefaultPermissions must not grant IAM_ALLOWED_PRINCIPALS.");
            }
        }),
        validateResourceOfType(aws.lakeformation.Permissions, (grant, _args, reportViolation) => {
            const principal = probe(() => grant.principal);
            if (isKnown(principal) && principal === iamAllowedPrincipals) {
                reportViolation("Grants must name a principal, not IAM_ALLOWED_PRINCIPALS (which hands control back to IAM policies).");
            }
        }),
    ],
};

/** The S3 locations the catalog points at: database location URIs and table storage locations. */
function catalogLocations(resources: readonly PolicyResource[]): { resource: PolicyResource; location: string }[] {
    const out: { resource: PolicyResource; location: string }[] = [];
    for (const database of ofType(resources, aws.glue.CatalogDatabase)) {
        const uri = prop(database, (p) => p.locationUri as string | undefined);
        if (isKnown(uri) && typeof uri === "string" && uri.startsWith("s3")) {
            out.push({ resource: database, location: uri });
        }
    }
    for (const table of ofType(resources, aws.glue.CatalogTable)) {
        const location = prop(table, (p) => p.storageDescriptor?.location as string | undefined);
        if (isKnown(location) && typeof location === "string" && location.startsWith("s3")) {
            out.push({ resource: table, location });
        }
    }
    return out;
}

/** @severity high */
export const lakeformationDataLocationRegistered: StackValidationPolicy = {
    name: "lakeformation-data-location-registered",
    description:
        "Checks whether every S3 location the Glue catalog points at is registered with Lake Formation (without hybrid access), so Lake Formation vends access to the data and IAM alone cannot.",
    enforcementLevel: "advisory",
    severity: "high",
    tags: ["security", "governance", "lakeformation"],
    remediationSteps: "Declare an aws.lakeformation.Resource for the bucket (arn: bucket.arn, roleArn: a data-access role) with hybridAccessEnabled false.",
    validateStack: (args, reportViolation) => {
        const registrations = ofType(args.resources, aws.lakeformation.Resource);
        const registered = new Set<string>();
        let unknownRegistration = false;
        for (const registration of registrations) {
            const arn = prop(registration, (p) => p.arn as string | undefined);
            const hybrid = prop(registration, (p) => p.hybridAccessEnabled as boolean | undefined);
            if (isKnown(hybrid) && hybrid === true) {
                reportViolation(`${label(registration)} must not enable hybrid access mode (it keeps IAM-only access to the data working).`, registration.urn);
            }
            if (!isKnown(arn) || !arn) {
                unknownRegistration = true;
                continue;
            }
            registered.add(bucketName(arn));
        }
        for (const { resource, location } of catalogLocations(args.resources)) {
            const bucket = bucketName(location);
            if (registered.has(bucket)) {
                continue;
            }
            const viaDependency = ofType(args.resources, aws.s3.Bucket).some((b) => {
                const names = bucketNames(b);
                return isKnown(names) && names.has(bucket) && registrations.some((r) => r.dependencies.includes(b));
            });
            if (viaDependency || unknownRegistration) {
                continue;
            }
            reportViolation(`${label(resource)} points at ${show(location)}, whose bucket must be registered with Lake Formation (aws.lakeformation.Resource); it is not.`, resource.urn);
        }
    },
};

export const lakeformationPolicies = [lakeformationPermissionsNoAll, lakeformationIamAllowedPrincipalsRemoved, lakeformationDataLocationRegistered];
