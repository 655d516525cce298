/**
 * Preloaded by the soak (bench/soak-run.ts) into the hub processes it starts, with
 * `node --expose-gc --require dist/bench/support/memory-probe.js dist/src/main.js`: nothing of the
 * hub loads it, so the hub itself is measured unchanged. It answers a message on the IPC channel the
 * soak opens to the process, `{ memoryProbe: id, gc }`, with the process's memory, after a full
 * collection when `gc` is true. The heap used after a full collection is what the process's
 * reachable objects occupy, so it tells a leak (it grows) from V8 or the allocator keeping memory
 * (RSS grows, it does not); the heap used of `/metrics` counts garbage not yet collected too.
 */
export interface MemoryProbeRequest {
  memoryProbe: number;
  gc: boolean;
}

/** Bytes: RSS, V8's heap used and its size, memory V8 accounts outside its heap (Buffers). */
export interface MemoryProbeReply {
  memoryProbe: number;
  collected: boolean;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

const isRequest = (message: unknown): message is MemoryProbeRequest =>
  typeof message === 'object' && message !== null && typeof (message as { memoryProbe?: unknown }).memoryProbe === 'number';

if (process.send) {
  process.on('message', (message: unknown) => {
    if (!isRequest(message)) return;
    const gc = (globalThis as { gc?: () => void }).gc;
    const collected = message.gc && gc !== undefined;
    // Twice: objects kept only by the finalizers or weak callbacks of the first pass go in the second.
    if (collected) {
      gc();
      gc();
    }
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    const reply: MemoryProbeReply = { memoryProbe: message.memoryProbe, collected, rss, heapUsed, heapTotal, external };
    process.send?.(reply);
  });
}
