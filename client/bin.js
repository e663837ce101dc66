#!/usr/bin/env node
// `npx guidance …`: runs the TypeScript CLI through tsx, so there is no build step to forget.
require('tsx/cjs');
require('./cli.ts')
  .main(process.argv.slice(2))
  .then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
