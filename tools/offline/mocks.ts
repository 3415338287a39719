import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";

/**
 * What a deployment would return for each resource, as far as the program reads it back:
 * physical names, ARNs, and the outputs of the awsx VPC (a remote component, so under mocks it is
 * one resource whose outputs come from here, pulumi/pulumi#12553).
 */
export const mockAccountId = "123456789012";

function shortHash(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, 7);
}

/** `aws:s3/bucket:Bucket` → service `s3`, resource `bucket`. */
function typeParts(type: string): { service: string; resource: string } {
    const [, module = "", resource = ""] = type.split(":");
    return { service: module.split("/")[0], resource: resource.charAt(0).toLowerCase() + resource.slice(1) };
}

export function mockResourceState(args: pulumi.runtime.MockResourceArgs, region: string, availabilityZones: number): { id: string; state: Record<string, unknown> } {
    const inputs = args.inputs as Record<string, unknown>;
    const { service, resource } = typeParts(args.type);
    const physical = (inputs.name as string | undefined) ?? `${args.name}-${shortHash(args.type + args.name)}`;
    const arn = `arn:aws:${service}:${region}:${mockAccountId}:${resource}/${physical}`;
    const state: Record<string, unknown> = { ...inputs, arn, name: physical };
    let id = `${physical}-id`;
    switch (args.type) {
        case "awsx:ec2:Vpc": {
            const azs = Array.from({ length: availabilityZones }, (_, i) => i + 1);
            const specs = (inputs.subnetSpecs as { type: string }[] | undefined) ?? [];
            const hasPublic = specs.some((s) => s.type === "Public");
            Object.assign(state, {
                vpcId: "vpc-0platform",
                privateSubnetIds: azs.map((i) => `subnet-private-${i}`),
                publicSubnetIds: hasPublic ? azs.map((i) => `subnet-public-${i}`) : [],
                isolatedSubnetIds: [],
            });
            id = "vpc-0platform";
            break;
        }
        case "aws:s3/bucket:Bucket": {
            const bucket = (inputs.bucket as string | undefined) ?? `${args.name}-${shortHash(args.name)}`;
            Object.assign(state, { bucket, arn: `arn:aws:s3:::${bucket}`, id: bucket });
            id = bucket;
            break;
        }
        case "aws:kms/key:Key": {
            const keyId = `mrk-${shortHash(args.name)}`;
            Object.assign(state, { keyId, arn: `arn:aws:kms:${region}:${mockAccountId}:key/${keyId}` });
            id = keyId;
            break;
        }
        case "aws:iam/role:Role":
            state.arn = `arn:aws:iam::${mockAccountId}:role/${physical}`;
            id = physical;
            break;
        case "aws:msk/configuration:Configuration":
            state.latestRevision = 1;
            break;
        case "aws:msk/cluster:Cluster": {
            const brokers = Number(inputs.numberOfBrokerNodes ?? 3);
            const bootstrap = (port: number) => Array.from({ length: brokers }, (_, i) => `b-${i + 1}.${physical}.kafka.${region}.amazonaws.com:${port}`).join(",");
            state.bootstrapBrokersSaslIam = bootstrap(9098);
            state.bootstrapBrokersSaslScram = bootstrap(9096);
            state.bootstrapBrokersTls = bootstrap(9094);
            state.arn = `arn:aws:kafka:${region}:${mockAccountId}:cluster/${physical}/00000000-0000-0000-0000-000000000000-1`;
            break;
        }
        case "aws:kinesis/stream:Stream":
            state.arn = `arn:aws:kinesis:${region}:${mockAccountId}:stream/${physical}`;
            break;
        case "aws:redshiftserverless/namespace:Namespace":
            state.adminPasswordSecretArn = `arn:aws:secretsmanager:${region}:${mockAccountId}:secret:redshift!${physical}-admin-AbCdEf`;
            break;
        case "aws:redshiftserverless/workgroup:Workgroup":
            state.endpoints = [{ address: `${physical}.${mockAccountId}.${region}.redshift-serverless.amazonaws.com`, port: 5439 }];
            break;
        case "aws:redshift/cluster:Cluster":
            state.dnsName = `${physical}.abc123.${region}.redshift.amazonaws.com`;
            state.masterPasswordSecretArn = `arn:aws:secretsmanager:${region}:${mockAccountId}:secret:redshift!${physical}-admin-AbCdEf`;
            state.clusterNamespaceArn = `arn:aws:redshift:${region}:${mockAccountId}:namespace:${mockUuid(args.name)}`;
            break;
        case "aws:rds/integration:Integration":
            state.arn = `arn:aws:rds:${region}:${mockAccountId}:integration:${mockUuid(args.name)}`;
            break;
        case "aws:cloudwatch/dashboard:Dashboard":
            state.dashboardName = inputs.dashboardName;
            break;
        case "aws:sqs/queue:Queue":
            state.url = `https://sqs.${region}.amazonaws.com/${mockAccountId}/${physical}`;
            state.arn = `arn:aws:sqs:${region}:${mockAccountId}:${physical}`;
            break;
        case "awsx:ecr:Image":
            state.imageUri = `${mockAccountId}.dkr.ecr.${region}.amazonaws.com/${args.name}@sha256:${createHash("sha256").update(args.name).digest("hex")}`;
            break;
        case "aws:ecr/repository:Repository":
            state.repositoryUrl = `${mockAccountId}.dkr.ecr.${region}.amazonaws.com/${physical}`;
            break;
        case "aws:emrserverless/application:Application":
            id = `00f${shortHash(args.name)}`;
            state.arn = `arn:aws:emr-serverless:${region}:${mockAccountId}:/applications/${id}`;
            break;
        case "aws:emr/cluster:Cluster":
            id = `j-${shortHash(args.name).toUpperCase()}`;
            break;
        case "tls:index/privateKey:PrivateKey":
            state.privateKeyPem = "-----BEGIN PRIVATE KEY-----\n(offline plan: generated at deploy time)\n-----END PRIVATE KEY-----\n";
            break;
        case "tls:index/selfSignedCert:SelfSignedCert":
            state.certPem = "-----BEGIN CERTIFICATE-----\n(offline plan: generated at deploy time)\n-----END CERTIFICATE-----\n";
            break;
        case "aws:lambda/function:Function":
            state.arn = `arn:aws:lambda:${region}:${mockAccountId}:function:${physical}`;
            state.invokeArn = `arn:aws:apigateway:${region}:lambda:path/functions/${state.arn}/invocations`;
            break;
    }
    return { id, state };
}

/** A stable UUID-shaped id from a name, where AWS names a resource by a UUID. */
function mockUuid(name: string): string {
    const hex = createHash("sha256").update(name).digest("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Every invoke the program makes, answered explicitly. Anything else fails the run. */
export function mockCall(args: pulumi.runtime.MockCallArgs, region: string, availabilityZones: number): Record<string, unknown> {
    switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: mockAccountId, arn: `arn:aws:iam::${mockAccountId}:user/offline`, userId: "AIDAOFFLINE", id: mockAccountId };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
        case "aws:index/getRegion:getRegion":
            return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
        case "aws:ec2/getRouteTables:getRouteTables":
            return { ids: Array.from({ length: availabilityZones }, (_, i) => `rtb-private-${i + 1}`), id: "route-tables", vpcId: (args.inputs as { vpcId?: string }).vpcId };
        default:
            throw new Error(`Mock not implemented: invoke ${args.token}. Add it to tools/offline/mocks.ts so the offline plan answers it explicitly.`);
    }
}
