/** What the evidence store is opened with, and what it answers (store.ts). */
import type { MediaType } from './media';
import type { PinRecord } from './pins';

export interface EvidenceStoreOptions {
  /** Root directory of the store; created on first use. */
  dir: string;
  /** Largest accepted file; default 20 MiB. */
  maxBytes?: number;
  /** Accepted types; default all of MEDIA_TYPES. */
  allowedTypes?: readonly MediaType[];
  /** Where pins are kept; default `<dir>.pins` beside the store. */
  pinsDir?: string;
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
  modified: Date;
}
