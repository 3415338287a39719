import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dataStoreOptions, namePrefix } from "../shared/options";
import { KeyDomain, keyDomains, keyPolicy } from "./iam";

export interface KeysArgs {
    readonly project: string;
    readonly stack: string;
    readonly region: string;
    readonly accountId: pulumi.Input<string>;
    readonly partition: pulumi.Input<string>;
    /** protect and retain the keys (a deleted key makes its data unreadable). */
    readonly protectData: boolean;
}

/**
 * Customer-managed KMS keys, one per data domain (see `policies.ts` for why), with yearly
 * automatic rotation, a 30-day deletion window and an alias `alias/<project>-<stack>-<domain>`.
 */
export class Keys extends pulumi.ComponentResource {
    readonly keys: Readonly<Record<KeyDomain, aws.kms.Key>>;

    constructor(name: string, args: KeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:keys:Keys", name, {}, opts);
        const prefix = namePrefix(args.project, args.stack);
        const keys = {} as Record<KeyDomain, aws.kms.Key>;
        for (const domain of keyDomains) {
            const key = new aws.kms.Key(
                `${name}-${domain}`,
                {
                    description: `${prefix} ${domain} data`,
                    enableKeyRotation: true,
                    rotationPeriodInDays: 365,
                    deletionWindowInDays: 30,
                    keyUsage: "ENCRYPT_DECRYPT",
                    customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                    policy: pulumi
                        .all([args.accountId, args.partition])
                        .apply(([accountId, partition]) => JSON.stringify(keyPolicy(domain, { accountId, partition, region: args.region }))),
                },
                dataStoreOptions(args.protectData, this),
            );
            new aws.kms.Alias(`${name}-${domain}`, { name: `alias/${prefix}-${domain}`, targetKeyId: key.keyId }, { parent: this });
            keys[domain] = key;
        }
        this.keys = keys;
        this.registerOutputs({});
    }
}
