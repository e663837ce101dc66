/**
 * Registers the engine's custom search attributes (workflows/shared/search-attributes.ts).
 *
 * - Embedded dev server: `devServerSearchAttributeFlags()` gives the `--search-attribute Name=Type`
 *   flags for `temporal server start-dev`; the dev server registers them on every start
 *   (idempotent; its SQLite database keeps them anyway).
 * - External self-hosted cluster: `ensureSearchAttributes(connection, namespace)` adds the missing
 *   ones through the operator service and checks the types of those already there, so it can run
 *   at every worker start. The same by hand: `temporal operator search-attribute create --name
 *   GuidanceYear --type Int …`. Temporal Cloud has no operator service for API keys: create them
 *   once in the Cloud UI or with `tcld namespace search-attributes add`.
 */
import type { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { GUIDANCE_SEARCH_ATTRIBUTES } from '../workflows/shared/search-attributes';

/** The dev server's and the `temporal` CLI's spelling of each type. */
const CLI_TYPE: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

const IVT = temporal.api.enums.v1.IndexedValueType;
/** The operator service's enum for each type. */
const INDEXED_TYPE: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  TEXT: IVT.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD: IVT.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IVT.INDEXED_VALUE_TYPE_INT,
  DOUBLE: IVT.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: IVT.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: IVT.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: IVT.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** `['--search-attribute', 'GuidanceYear=Int', …]` for `temporal server start-dev`. */
export function devServerSearchAttributeFlags(): string[] {
  return GUIDANCE_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${CLI_TYPE[k.type]}`]);
}

/**
 * Adds the missing search attributes to a namespace of a self-hosted cluster; returns the names
 * added. Refuses (with the names) when one exists with another type: that needs a person.
 */
export async function ensureSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const custom = existing.customAttributes ?? {};
  const missing: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  const wrong: string[] = [];
  for (const key of GUIDANCE_SEARCH_ATTRIBUTES) {
    const want = INDEXED_TYPE[key.type];
    const have = custom[key.name];
    if (have === undefined) missing[key.name] = want;
    else if (have !== want) wrong.push(`${key.name}（应为 ${CLI_TYPE[key.type]}）`);
  }
  if (wrong.length) throw new Error(`命名空间 ${namespace} 中以下检索属性类型不符，请人工处理：${wrong.join('、')}`);
  const names = Object.keys(missing);
  if (names.length) {
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    } catch (err) {
      // Two workers starting together: the other one added them first.
      if ((err as { code?: number }).code !== 6 /* ALREADY_EXISTS */) throw err;
    }
  }
  return names;
}
