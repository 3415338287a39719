import { NetworkConfig } from "../config";
import { interfaceEndpointServices } from "../config/catalog";

/** The awsx subnet specs the VPC gets: private subnets always, public ones only to hold NAT gateways. */
export function subnetSpecs(network: NetworkConfig): { type: "Private" | "Public"; cidrMask: number; name: string }[] {
    const specs: { type: "Private" | "Public"; cidrMask: number; name: string }[] = [{ type: "Private", cidrMask: network.subnets.privateMask, name: "private" }];
    if (network.subnets.publicMask !== undefined) {
        specs.push({ type: "Public", cidrMask: network.subnets.publicMask, name: "public" });
    }
    return specs;
}

/** Full service names of the configured interface endpoints, e.g. `com.amazonaws.us-east-1.kms`. */
export function interfaceEndpointServiceNames(region: string, shortNames: readonly string[]): { shortName: string; serviceName: string }[] {
    return shortNames.map((shortName) => ({ shortName, serviceName: `com.amazonaws.${region}.${interfaceEndpointServices[shortName]}` }));
}
