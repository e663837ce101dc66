/**
 * How the archive activity reads a case (归档) without the whole case in one payload: the workflow
 * serialises the case once per archive attempt and answers this Query with one slice of that text
 * at a time; the activity asks slice after slice and joins them. Nothing of the case goes into
 * history (the activity's input is the snapshot's id and length), so a case larger than Temporal's
 * payload limit (2 MB by default) archives like any other. Pure.
 */
import { defineQuery } from '@temporalio/workflow';

/**
 * Characters of the case's JSON per answer. A slice is at most 3 bytes a character in UTF-8 (the
 * case is mostly Chinese), doubled at worst by escaping: under 1.6 MB, inside both the 2 MB payload
 * limit and gRPC's 4 MB message limit.
 */
export const ARCHIVE_CHUNK_CHARS = 256 * 1024;

/** What the archive activity is told: which snapshot to read, and how long it is. */
export interface ArchiveSnapshotRef {
  id: string;
  chars: number;
}

export interface ArchiveChunk {
  id: string;
  /** Length of the whole JSON text, in UTF-16 code units (String.length). */
  chars: number;
  offset: number;
  text: string;
}

export const archiveChunkQuery = defineQuery<ArchiveChunk, [{ id: string; offset: number }]>('visitArchiveChunk');
