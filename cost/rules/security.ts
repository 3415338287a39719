import type * as aws from "@pulumi/aws";
import { AnyRule, costRule, fixed, priced, usage } from "./rule";

const requestsUsage = { monthlyRequests: { unit: "requests", description: "API requests per month." } };

function per10k(n: number | undefined): number | undefined {
    return n === undefined ? undefined : n / 10000;
}

export const kmsKey = costRule<aws.kms.KeyArgs>({
    type: "aws:kms/key:Key",
    usage: requestsUsage,
    price(_props, _resource, ctx) {
        return priced(fixed(ctx, "Customer managed key", "kms.key.month", 1), usage(ctx, "Requests", "kms.requests.10k", per10k(ctx.usage("monthlyRequests"))));
    },
});

export const secretsManagerSecret = costRule<aws.secretsmanager.SecretArgs>({
    type: "aws:secretsmanager/secret:Secret",
    usage: requestsUsage,
    price(_props, _resource, ctx) {
        return priced(fixed(ctx, "Secret", "secretsmanager.secret.month", 1), usage(ctx, "API requests", "secretsmanager.requests.10k", per10k(ctx.usage("monthlyRequests"))));
    },
});

export const securityRules: readonly AnyRule[] = [kmsKey, secretsManagerSecret];
