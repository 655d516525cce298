import fs from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __iihEmbedded?: { stop(): Promise<void>; dir: string } }).__iihEmbedded;
  if (embedded) {
    await embedded.stop();
    await fs.rm(embedded.dir, { recursive: true, force: true });
  }
}
