import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { contextPrefix, keyArns, PlatformBase } from "../shared/context";
import { dataStoreOptions } from "../shared/options";
import { KeyDomain, keyDomains, keyPolicy } from "./iam";

export interface KeysArgs {
    /** The stack's shared settings; `protectData` also protects and retains the keys (a deleted key makes its data unreadable). */
    readonly context: PlatformBase;
    /**
     * The encryption context of the stack's zero-ETL integration, when it has one: the warehouse
     * key then lets Redshift create the integration's grants under that context. Defaults to none.
     */
    readonly zeroEtlEncryptionContext?: Readonly<Record<string, string>>;
}

/**
 * Customer-managed KMS keys, one per data domain (see `iam.ts` for why), with yearly
 * automatic rotation, a 30-day deletion window and an alias `alias/<project>-<stack>-<domain>`.
 * Created before the platform context, which carries their ARNs to every other component.
 */
export class Keys extends pulumi.ComponentResource {
    readonly keys: Readonly<Record<KeyDomain, aws.kms.Key>>;

    constructor(name: string, args: KeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:keys:Keys", name, {}, opts);
        const context = args.context;
        const prefix = contextPrefix(context);
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
                        .all([context.accountId, context.partition])
                        .apply(([accountId, partition]) => JSON.stringify(keyPolicy(domain, { accountId, partition, region: context.region, ...(args.zeroEtlEncryptionContext ? { zeroEtlEncryptionContext: args.zeroEtlEncryptionContext } : {}) }))),
                },
                dataStoreOptions(context.protectData, this),
            );
            new aws.kms.Alias(`${name}-${domain}`, { name: `alias/${prefix}-${domain}`, targetKeyId: key.keyId }, { parent: this });
            keys[domain] = key;
        }
        this.keys = keys;
        this.registerOutputs({ keyArns: keyArns(keys) });
    }
}
