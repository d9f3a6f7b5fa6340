import type { WireCache } from "./http1/connection.ts";
// The shapes route handlers see and return. They are plain data, so a route test
// builds an ApiRequest and reads the ApiResponse without any socket.
import type { Duplex } from "node:stream";

export interface ApiRequest {
  method: string;
  /** Path without the /vX.Y prefix. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** The API version the client asked for (the prefix), or the server's own. */
  version: string;
  /** True when the client asked to hijack the connection (Connection: Upgrade, Upgrade: tcp). */
  upgrade: boolean;
  body(): Promise<Buffer>;
  /** The request body as a stream, for uploads (load, import, archive PUT). */
  bodyStream(): AsyncIterable<Uint8Array>;
  /** Aborted when the client goes away (made on first use). */
  readonly signal?: AbortSignal;
}

export interface StreamSink {
  write(chunk: string | Uint8Array): void;
  /** Resolves when the client goes away. */
  readonly closed: Promise<void>;
  readonly isClosed: boolean;
}

export type ApiResponse =
  | { kind: "json"; status: number; body: unknown; headers?: Record<string, string> }
  | {
      kind: "text";
      status: number;
      body: string | Uint8Array;
      headers?: Record<string, string>;
      /** The same answer every time (`/_ping`): the server keeps its bytes on the wire here. */
      wire?: WireCache;
    }
  | { kind: "empty"; status: number; headers?: Record<string, string> }
  | {
      kind: "stream";
      status: number;
      contentType: string;
      headers?: Record<string, string>;
      run(sink: StreamSink): Promise<void>;
    }
  | {
      // Upgrade: tcp. The server answers 101 UPGRADED and hands over the raw socket.
      kind: "hijack";
      contentType: string;
      /** Extra headers of the plain (not upgraded) 200 answer. */
      headers?: Record<string, string>;
      run(socket: Duplex): Promise<void>;
    };

export type Handler = (req: ApiRequest) => Promise<ApiResponse> | ApiResponse;

export interface Route {
  method: string;
  /** Docker-style path with {param} placeholders. */
  path: string;
  handler: Handler;
}

export const json = (body: unknown, status = 200, headers?: Record<string, string>): ApiResponse => ({
  kind: "json",
  status,
  body,
  headers,
});

/** A 200 JSON answer of a value or of a promised one, staying synchronous when it can. */
export const jsonOf = (body: unknown): ApiResponse | Promise<ApiResponse> =>
  body instanceof Promise ? body.then((b) => json(b)) : json(body);

export const empty = (status = 204, headers?: Record<string, string>): ApiResponse => ({ kind: "empty", status, headers });
