import { InitialSchema1763740000000 } from './1763740000000-initial-schema';

/** Every migration, in order. Listed explicitly so the same list works from src/ (tests) and dist/. */
export const migrations = [InitialSchema1763740000000];
