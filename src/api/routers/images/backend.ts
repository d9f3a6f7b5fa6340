// What the images router needs from the daemon.
import type { Filters } from "../../filters.ts";
import type { DistributionInspect, ImageHistoryItem, ImageInspect, ImageSearchResult, ImageSummary } from "../../types/index.ts";

export type DeleteItem = { Untagged: string } | { Deleted: string };

export interface ImportParams {
  src: string;
  repo?: string;
  tag?: string;
  message?: string;
  changes: string[];
  platform?: string;
}

export interface ImageBackend {
  imageList(opts: { all: boolean; digests: boolean; filters: Filters; version: string }): Promise<ImageSummary[]>;
  imageInspect(name: string, version: string): Promise<ImageInspect>;
  imageHistory(name: string): Promise<ImageHistoryItem[]>;
  imageTag(name: string, repo: string, tag?: string): Promise<void>;
  imageDelete(name: string, opts: { force: boolean; noprune: boolean }): Promise<DeleteItem[]>;
  imagesPrune(filters: Filters): Promise<{ ImagesDeleted: DeleteItem[] | null; SpaceReclaimed: number }>;
  /** Reads the whole upload, then resolves with docker's lines (`Loaded image: …`). */
  imageLoad(body: AsyncIterable<Uint8Array>): Promise<string[]>;
  /** Resolves the names (404 before any byte), then yields the archive. */
  imageSave(names: string[]): Promise<AsyncIterable<Uint8Array>>;
  /** Returns the new image's id. */
  imageImport(body: AsyncIterable<Uint8Array>, opts: ImportParams): Promise<string>;
}

/** A long job whose progress is Docker's JSON lines; failures before `run` are HTTP errors. */
export interface ProgressJob {
  run(write: (line: string) => void, signal: AbortSignal): Promise<void>;
}

export interface PullRequestParams {
  fromImage: string;
  tag?: string;
  platform?: string;
  /** The X-Registry-Auth header as sent. */
  registryAuth?: string;
}

export interface PushRequestParams {
  tag?: string;
  registryAuth?: string;
}

/** What the registry-facing image routes need (the distribution jobs provide it). */
export interface DistributionBackend {
  imagePull(p: PullRequestParams): Promise<ProgressJob>;
  imagePush(name: string, p: PushRequestParams): Promise<ProgressJob>;
  distributionInspect(name: string, registryAuth?: string): Promise<DistributionInspect>;
  imageSearch(term: string, limit: number | undefined, registryAuth?: string): Promise<ImageSearchResult[]>;
  /** The body as the client sent it: login reads the fields it knows. */
  auth(body: { [field: string]: unknown }): Promise<{ Status: string; IdentityToken: string }>;
}
