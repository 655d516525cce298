import type { ProgrammeRepository } from './programme.repository';

/** DIP programme data; read only through relations and `node(id)` for now, so it only holds the repository. */
export class ProgrammeService {
  constructor(private readonly repository: ProgrammeRepository) {}

  /** The repository's `assessmentsByKey`, for the domain's loaders (one statement per batch). */
  assessmentsByKey(...args: Parameters<ProgrammeRepository['assessmentsByKey']>): ReturnType<ProgrammeRepository['assessmentsByKey']> {
    return this.repository.assessmentsByKey(...args);
  }

  /** The repository's `assessmentsOf`, for the domain's loaders (one statement per batch). */
  assessmentsOf(...args: Parameters<ProgrammeRepository['assessmentsOf']>): ReturnType<ProgrammeRepository['assessmentsOf']> {
    return this.repository.assessmentsOf(...args);
  }

  /** The repository's `participationsByKey`, for the domain's loaders (one statement per batch). */
  participationsByKey(...args: Parameters<ProgrammeRepository['participationsByKey']>): ReturnType<ProgrammeRepository['participationsByKey']> {
    return this.repository.participationsByKey(...args);
  }

  /** The repository's `participationsOf`, for the domain's loaders (one statement per batch). */
  participationsOf(...args: Parameters<ProgrammeRepository['participationsOf']>): ReturnType<ProgrammeRepository['participationsOf']> {
    return this.repository.participationsOf(...args);
  }
}
