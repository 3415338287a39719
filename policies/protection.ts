import { ResourceValidationPolicy } from "@pulumi/policy";
import { environmentOverrideProperty, environmentsProperty, policyConfig } from "./lib/config";
import { requireEnvironmentIn, resourceEnvironment } from "./lib/environment";

/** Resource types that hold data the platform cannot recreate. */
export const dataStoreTypes = [
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:kms/key:Key",
    "aws:kinesis/stream:Stream",
    "aws:msk/cluster:Cluster",
    "aws:msk/topic:Topic",
    "aws:redshift/cluster:Cluster",
    "aws:redshiftserverless/namespace:Namespace",
    "aws:redshiftserverless/workgroup:Workgroup",
    "aws:glue/catalogDatabase:CatalogDatabase",
];

const schema = {
    properties: {
        types: {
            type: "array" as const,
            items: { type: "string" as const, minLength: 1 },
            default: dataStoreTypes,
            description: "Resource types that must be protected: buckets, keys, streams, Kafka clusters and topics, warehouses, catalog databases. Defaults to the platform's data stores.",
        },
        environments: environmentsProperty(["prod"], "data stores must be protected"),
        environment: environmentOverrideProperty,
    },
};

/** @severity critical */
export const protectionDataStoreProtected: ResourceValidationPolicy = {
    name: "protection-data-store-protected",
    description:
        "Checks whether data stores (buckets, keys, streams, Kafka clusters and topics, warehouses, catalog databases) in protected environments (prod) carry Pulumi's protect option, so no destroy or replacement can delete them.",
    enforcementLevel: "advisory",
    severity: "critical",
    tags: ["data-protection"],
    remediationSteps: "Declare the resource with dataStoreOptions(protectData, ...) (protect and retainOnDelete); platform:protectData must be true in prod.",
    configSchema: schema,
    validateResource: (args, reportViolation) => {
        const config = policyConfig<{ types: string[]; environments: string[]; environment?: string }>(args, schema);
        if (!config.types.includes(args.type)) {
            return args.notApplicable(`applies to data stores (${config.types.length} types); this is ${args.type}`);
        }
        const environment = requireEnvironmentIn(args, resourceEnvironment(args, config.environment), config.environments);
        if (!args.opts.protect) {
            reportViolation(`The data store must be protected in ${environment} (resource option protect: true); it is not, so pulumi destroy or a replacement would delete it.`);
        }
    },
};

export const protectionPolicies = [protectionDataStoreProtected];
