import type { ProgrammeRepository } from './programme.repository';

/** DIP programme data; read only through relations and `node(id)` for now, so it only holds the repository. */
export class ProgrammeService {
  constructor(readonly repository: ProgrammeRepository) {}
}
