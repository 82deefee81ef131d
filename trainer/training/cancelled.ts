/** Thrown when a run was asked to stop; its last checkpoint stays for a resume. */
export class TrainingCancelled extends Error {
  override readonly name = 'TrainingCancelled';
  constructor(readonly step: number) {
    super(`stopped at step ${step}; the last checkpoint is kept`);
  }
}
