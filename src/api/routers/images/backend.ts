// What the images router needs from the daemon.
import type { Filters } from "../../filters.ts";

export type Json = Record<string, any>;
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
  imageList(opts: { all: boolean; digests: boolean; filters: Filters; version: string }): Promise<Json[]>;
  imageInspect(name: string, version: string): Promise<Json>;
  imageHistory(name: string): Promise<Json[]>;
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
