import 'reflect-metadata';
import fs from 'node:fs/promises';
import path from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { PROJECT_ROOT } from '../../config/config';
import { buildHubSchema } from './schema';

export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'schema', 'schema.graphql');

/** The SDL as committed in schema/schema.graphql: sorted, so it only changes when the API does. */
export async function printHubSchema(): Promise<string> {
  const header = '# Emitted from the code by `npm run schema:emit`; do not edit by hand. A test fails when it drifts.\n\n';
  return `${header}${printSchema(lexicographicSortSchema(await buildHubSchema()))}\n`;
}

// Run directly, or through scripts/run-built.mjs (which imports this file with argv[1] set to it).
if (require.main === module || process.argv[1] === __filename) {
  void printHubSchema().then(async (sdl) => {
    await fs.writeFile(SCHEMA_FILE, sdl);
    process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}\n`);
  });
}
