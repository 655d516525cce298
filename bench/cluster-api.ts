import cluster from 'node:cluster';
import os from 'node:os';

/**
 * The hub's API on every core, for `npm run bench:api`'s multi-process figure: node's cluster forks
 * BENCH_CLUSTER_WORKERS (default: one per core) API processes sharing one listening port, each the
 * same `src/main.js --role=api` a deployment runs (several API processes behind one port).
 */
if (cluster.isPrimary) {
  const workers = Math.max(1, Number(process.env['BENCH_CLUSTER_WORKERS'] ?? os.cpus().length));
  for (let i = 0; i < workers; i += 1) cluster.fork();
  const stop = (): void => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  cluster.on('exit', () => {
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
} else {
  void import('../src/main.js');
}
