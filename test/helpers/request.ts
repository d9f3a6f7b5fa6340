// Builds an ApiRequest for route tests: no socket, no daemon.
import type { ApiRequest, StreamSink } from "../../src/api/types.ts";

export function apiRequest(method: string, pathAndQuery: string, body?: unknown, params: Record<string, string> = {}): ApiRequest {
  const url = new URL(pathAndQuery, "http://x");
  const buf = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  return {
    method,
    path: url.pathname,
    params,
    query: url.searchParams,
    headers: {},
    version: "1.45",
    upgrade: false,
    body: async () => buf,
    bodyStream: async function* () {
      yield buf;
    },
  };
}

/** A sink that records what a stream route writes; close() ends it as a client would. */
export function recordingSink() {
  const chunks: string[] = [];
  let closeIt!: () => void;
  let isClosed = false;
  const closed = new Promise<void>((r) => (closeIt = r));
  const sink: StreamSink & { chunks: string[]; close(): void } = {
    chunks,
    write: (c) => void chunks.push(typeof c === "string" ? c : Buffer.from(c).toString()),
    closed,
    get isClosed() {
      return isClosed;
    },
    close() {
      isClosed = true;
      closeIt();
    },
  };
  return sink;
}
