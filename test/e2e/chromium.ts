/**
 * Debian's chromium, as every browser test and the render benchmark start it (playwright-core):
 * headless, no sandbox (root in CI), and nothing that reaches the network on its own.
 * A leaf module, so the benchmark can import it without the test stack.
 */
export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
