// What the images router needs from the daemon.
import type { Filters } from "../../filters.ts";
import type { DistributionInspect, ImageHistoryItem, ImageInspect, ImageSearchResult, ImageSummary } from "../../types/index.ts";
import type { ImportOptions } from "../../../image/import.ts";
import type { ProgressJob, PullRequestParams, PushRequestParams } from "../../../distribution/jobs.ts";

export type DeleteItem = { Untagged: string } | { Deleted: string };

/** The import request; the image domain defines it (it parses and checks it). */
export type ImportParams = ImportOptions;

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

// The registry requests and their progress jobs are the distribution domain's types.
export type { ProgressJob, PullRequestParams, PushRequestParams };

/** What the registry-facing image routes need (the distribution jobs provide it). */
export interface DistributionBackend {
  imagePull(p: PullRequestParams): Promise<ProgressJob>;
  imagePush(name: string, p: PushRequestParams): Promise<ProgressJob>;
  distributionInspect(name: string, registryAuth?: string): Promise<DistributionInspect>;
  imageSearch(term: string, limit: number | undefined, registryAuth?: string): Promise<ImageSearchResult[]>;
  /** The body as the client sent it: login reads the fields it knows. */
  auth(body: { [field: string]: unknown }): Promise<{ Status: string; IdentityToken: string }>;
}
