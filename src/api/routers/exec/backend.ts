// What the exec routes need from the daemon: the exec service plus the container terminal resize.
import type { Duplex } from "node:stream";
import type { ExecCreateBody, ExecInspectResponse } from "../../types/index.ts";

export type ExecStartBody = { Detach?: boolean; Tty?: boolean; ConsoleSize?: [number, number] | null };

export interface ExecBackend {
  execCreate(container: string, body: ExecCreateBody): Promise<{ Id: string }>;
  execStart(
    id: string,
    body: ExecStartBody,
  ): Promise<{ tty: boolean; detach: boolean; run(socket?: Duplex): Promise<void> }>;
  execResize(id: string, rows: number, cols: number): Promise<void>;
  execInspect(id: string): Promise<ExecInspectResponse>;
  containerResize(container: string, rows: number, cols: number): Promise<void>;
}
