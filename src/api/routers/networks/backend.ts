// What the network routes need of the network controller. Bodies arrive as parsed JSON
// objects: the controller checks their fields with dockerd's messages (Go's decoder words).
import type { Network } from "../../types/index.ts";

type Body = { [field: string]: unknown };

export interface NetworkBackend {
  list(filters: Map<string, string[]>): Network[];
  inspect(ref: string): Network;
  create(body: Body, version: string): Promise<{ Id: string; Warning: string }>;
  remove(ref: string): Promise<void>;
  connect(ref: string, body: Body): Promise<void>;
  disconnect(ref: string, body: Body): Promise<void>;
  prune(filters: Map<string, string[]>): Promise<{ NetworksDeleted: string[] }>;
}
