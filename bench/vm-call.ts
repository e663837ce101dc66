/**
 * `npx tsx bench/vm-call.ts`: what one call into a workflow sandbox costs with and without an
 * execution timeout. The SDK runs every call into a workflow's V8 context (activate, unblock
 * conditions, conclude: several per workflow task) with `timeout: isolateExecutionTimeout`, and
 * Node starts a watchdog thread for each such call. Prints CPU and wall µs per call; docs/performance.md.
 */
import vm from 'node:vm';

const N = 20_000;
const context = vm.createContext({}, { microtaskMode: 'afterEvaluate' });
const script = new vm.Script('1 + 1');
for (const [label, opts] of [
  ['no timeout', {}],
  ['timeout 5 s (the SDK default)', { timeout: 5000 }],
] as const) {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) script.runInContext(context, opts);
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000 / N;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    `${label}: ${wallUs.toFixed(1)} µs wall, ${((cpu.user + cpu.system) / N).toFixed(1)} µs CPU per call\n`,
  );
}
