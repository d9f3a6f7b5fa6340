// Network records on disk: one JSON file under <data-root>/network, rewritten atomically.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface NetworkRecord {
  Name: string;
  Id: string;
  Created: string;
  Scope: "local";
  Driver: string;
  EnableIPv6: boolean;
  IPAM: { Driver: string; Options: Record<string, string> | null; Config: { Subnet?: string; Gateway?: string; IPRange?: string }[] };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Options: Record<string, string>;
  Labels: Record<string, string>;
  /** The Linux bridge of a bridge network (not part of Docker's shape). */
  bridge?: string;
}

export class NetworkFile {
  private readonly path: string;

  constructor(dataRoot: string) {
    const dir = join(dataRoot, "network");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.path = join(dir, "networks.json");
  }

  load(): NetworkRecord[] {
    try {
      return JSON.parse(readFileSync(this.path, "utf8")) as NetworkRecord[];
    } catch {
      return [];
    }
  }

  save(records: NetworkRecord[]): void {
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(records, null, 1), { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
