import { InitialSchema1763740000000 } from './1763740000000-initial-schema';
import { IngestionState1763745000000 } from './1763745000000-ingestion-state';

/** Every migration, in order. Listed explicitly so the same list works from src/ (tests) and dist/. */
export const migrations = [InitialSchema1763740000000, IngestionState1763745000000];
