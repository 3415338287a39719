import * as pulumi from "@pulumi/pulumi";

/**
 * Resource options for data stores: `protect` stops `pulumi destroy` and replacements from
 * deleting them, `retainOnDelete` keeps the cloud resource if it is removed from the program.
 * Driven by the one `protectData` switch (true in prod).
 */
export function dataStoreOptions(protectData: boolean, parent: pulumi.Resource, extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
    return { ...extra, parent, protect: protectData, retainOnDelete: protectData };
}

/** A stable, lower-case prefix for physical names: `<project>-<stack>`. */
export function namePrefix(project: string, stack: string): string {
    return `${project}-${stack}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
}

/** Glue and Redshift identifiers cannot contain dashes. */
export function identifierPrefix(project: string, stack: string): string {
    return namePrefix(project, stack).replace(/-/g, "_");
}
