// build.ts stamps these with `--define`; running from source falls back to package.json.
declare const WHARF_VERSION: string;
declare const WHARF_COMMIT: string;
declare const WHARF_BUILD_TIME: string;

import pkg from "../package.json" with { type: "json" };

export const wharfVersion: string = typeof WHARF_VERSION === "string" ? WHARF_VERSION : pkg.version;
export const gitCommit: string = typeof WHARF_COMMIT === "string" ? WHARF_COMMIT : "unknown";
export const buildTime: string = typeof WHARF_BUILD_TIME === "string" ? WHARF_BUILD_TIME : "";

// Clients compare the engine version numerically (COMPAT: at least 1.6.0), so the
// top-level Version is the Docker engine release whose API wharf serves; wharf's own
// version is reported as its own component.
export const engineVersion = "26.1.0";
export const apiVersion = "1.45";
export const minApiVersion = "1.24";

/** Orders two API versions ("1.41" < "1.45"); negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
  const [am, an] = a.split(".").map(Number);
  const [bm, bn] = b.split(".").map(Number);
  return am !== bm ? am! - bm! : an! - bn!;
}
