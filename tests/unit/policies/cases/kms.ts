import * as aws from "@pulumi/aws";
import * as kms from "../../../../policies/kms";
import { doc, fixture, PropsOf } from "../helpers";
import { fails, passes, PolicyCase } from "./types";

const rootPolicy = doc({ Sid: "Root", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" });

const key = (props: Partial<PropsOf<aws.kms.KeyArgs>> = {}) =>
    fixture(aws.kms.Key, "key", { description: "lake data", enableKeyRotation: true, rotationPeriodInDays: 365, deletionWindowInDays: 30, policy: rootPolicy, ...props });

export const kmsCases: PolicyCase[] = [
    passes(kms.kmsKeyRotation, "yearly rotation", key()),
    passes(kms.kmsKeyRotation, "an asymmetric signing key (cannot rotate)", key({ enableKeyRotation: false, keyUsage: "SIGN_VERIFY", customerMasterKeySpec: "RSA_2048" })),
    fails(kms.kmsKeyRotation, "rotation off", key({ enableKeyRotation: false }), /enableKeyRotation must be true/),
    fails(kms.kmsKeyRotation, "rotation every two years", key({ rotationPeriodInDays: 730 }), /rotationPeriodInDays must be at most 365; found 730/),

    passes(kms.kmsKeyPolicyNoPublicPrincipal, "the account root only", key()),
    passes(
        kms.kmsKeyPolicyNoPublicPrincipal,
        "a wildcard principal pinned by kms:CallerAccount",
        key({ policy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "kms:CallerAccount": "123456789012" } } }) }),
    ),
    fails(
        kms.kmsKeyPolicyNoPublicPrincipal,
        "finding 1: a wildcard principal limited only by kms:ViaService",
        key({ policy: doc({ Sid: "ViaS3", Effect: "Allow", Principal: { AWS: "*" }, Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: "*", Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } } }) }),
        /statement "ViaS3" allows kms:Decrypt, kms:GenerateDataKey to every principal/,
    ),
    passes(
        kms.kmsKeyPolicyNoPublicPrincipal,
        "kms:ViaService together with kms:CallerAccount",
        key({ policy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:CallerAccount": "123456789012" } } }) }),
    ),
    fails(
        kms.kmsKeyPolicyNoPublicPrincipal,
        "kms:CallerAccount only if it exists",
        key({ policy: doc({ Sid: "IfExists", Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*", Condition: { StringEqualsIfExists: { "aws:SourceAccount": "123456789012" } } }) }),
        /statement "IfExists" allows kms:Decrypt to every principal/,
    ),
    fails(kms.kmsKeyPolicyNoPublicPrincipal, "decrypt for everyone", key({ policy: doc({ Sid: "Open", Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" }) }), /statement "Open" allows kms:Decrypt to every principal/),

    passes(kms.kmsKeyEnabled, "an enabled key", key()),
    fails(kms.kmsKeyEnabled, "a disabled key", key({ isEnabled: false }), /isEnabled must be true/),

    passes(kms.kmsKeyPolicyDefined, "an explicit policy", key()),
    fails(kms.kmsKeyPolicyDefined, "no policy", fixture(aws.kms.Key, "key", { enableKeyRotation: true }), /must have an explicit policy/),

    passes(kms.kmsKeyDeletionWindow, "30 days", key()),
    passes(kms.kmsKeyDeletionWindow, "unset (AWS's default of 30)", fixture(aws.kms.Key, "key", { policy: rootPolicy })),
    fails(kms.kmsKeyDeletionWindow, "7 days", key({ deletionWindowInDays: 7 }), /deletionWindowInDays must be at least 30; found 7/),
];
