import * as pulumi from "@pulumi/pulumi";
import { configKeys, configNamespace, parsePlatformConfig, PlatformConfig } from "./index";

/**
 * The SDK marks which config values were set with `--secret` (it is how `Config.get` warns about
 * reading a secret as plain text) but keeps that lookup internal; this is the one place we use it.
 */
function isSecretKey(fullKey: string): boolean {
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (key: string) => boolean };
    if (typeof runtimeConfig.isConfigSecret !== "function") {
        throw new Error("@pulumi/pulumi no longer exposes runtime/config.isConfigSecret; update infra/config/stack.ts for this SDK version");
    }
    return runtimeConfig.isConfigSecret(fullKey);
}

/**
 * Reads the running stack's config through the Pulumi SDK and validates it. The only place in
 * the program that touches `pulumi.Config`.
 */
export function readPlatformConfig(): PlatformConfig {
    const values: Record<string, string> = {};
    const secretKeys = new Set<string>();
    const allConfig = pulumi.runtime.allConfig();
    for (const [fullKey, value] of Object.entries(allConfig)) {
        values[fullKey] = value;
    }
    for (const key of configKeys) {
        const fullKey = `${configNamespace}:${key.name}`;
        if (key.secret && isSecretKey(fullKey)) {
            secretKeys.add(fullKey);
        }
    }
    return parsePlatformConfig({ project: pulumi.getProject(), stack: pulumi.getStack(), values, secretKeys });
}

/** A secret config value as a secret Output; its plain text never enters the program's code. */
export function readSecret(fullKey: string): pulumi.Output<string> {
    const [namespace, name] = fullKey.split(":");
    return new pulumi.Config(namespace).requireSecret(name);
}
