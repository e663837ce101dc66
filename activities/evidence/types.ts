/** What the evidence store is opened with, and what it answers (store.ts). */
import type { ObjectStore } from '../storage/object-store';
import type { MediaType } from './media';
import type { PinRecord } from './pins';

/** Where the store is: `objects` (the process's object store, `storeFromConfig`), or a local `dir`. */
export interface EvidenceStoreOptions {
  /** The object store the files and pins go through: keys `<prefix>/<2 hex>/<sha256>`, `<prefix>.pins/…`. */
  objects?: ObjectStore;
  /** Key prefix in `objects`; default `evidence`. */
  prefix?: string;
  /**
   * A folder on this host instead of `objects` (the store's files in it, its pins in `<dir>.pins`
   * beside it): the same as a disk store rooted at its parent with the folder's name as prefix.
   */
  dir?: string;
  /** Largest accepted file; default 20 MiB. */
  maxBytes?: number;
  /** Accepted types; default all of MEDIA_TYPES. */
  allowedTypes?: readonly MediaType[];
}

/** Asks `put` to pin the file for the Update of this case (see pins.ts). */
export interface PutOptions {
  pin?: Pick<PinRecord, 'caseId'>;
}

export interface StoredFile {
  sha256: string;
  size: number;
  mediaType: MediaType;
  /** True when the same content was already stored; nothing was written. */
  deduplicated: boolean;
  /** The pin this put holds on the file, when asked for one. */
  pin?: string;
}

export interface EvidenceStat {
  sha256: string;
  size: number;
  /** Sniffed again from the stored bytes. */
  mediaType: string;
  /** When it was stored, on this host's disk; a bucket's store does not say. */
  modified?: Date;
}
