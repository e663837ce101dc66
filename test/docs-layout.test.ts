import { describe, expect, it } from 'vitest';
import { documentedTree, layoutTree } from '../scripts/layout-tree';

// docs/architecture.md shows the folders with their purposes; this keeps that tree the code's own.
describe('the code layout in docs/architecture.md', () => {
  it('is the tree scripts/layout-tree.ts generates from the folders (fix: npx tsx scripts/layout-tree.ts --write)', () => {
    expect(documentedTree()).toBe(layoutTree());
  });
});
