/** The states a job moves through; a run's status is derived from its job's state. */
export enum JobState {
  QUEUED = "QUEUED",
  LEASED = "LEASED",
  RUNNING = "RUNNING",
  SUCCEEDED = "SUCCEEDED",
  FAILED = "FAILED",
  CANCELLED = "CANCELLED",
  DEAD = "DEAD",
}

export enum RunStatus {
  QUEUED = "QUEUED",
  RUNNING = "RUNNING",
  SUCCEEDED = "SUCCEEDED",
  FAILED = "FAILED",
  CANCELLED = "CANCELLED",
}

export function runStatusOf(state: JobState): RunStatus {
  switch (state) {
    case JobState.QUEUED:
      return RunStatus.QUEUED;
    case JobState.LEASED:
    case JobState.RUNNING:
      return RunStatus.RUNNING;
    case JobState.SUCCEEDED:
      return RunStatus.SUCCEEDED;
    case JobState.FAILED:
    case JobState.DEAD:
      return RunStatus.FAILED;
    case JobState.CANCELLED:
      return RunStatus.CANCELLED;
  }
}

/** Job states a run status covers, for filtering runs by status in SQL. */
export function jobStatesOf(status: RunStatus): JobState[] {
  return Object.values(JobState).filter((state) => runStatusOf(state) === status);
}

export const TERMINAL_JOB_STATES: readonly JobState[] = [JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED, JobState.DEAD];

/** USER_ERROR: the job itself is wrong, retrying cannot help. INFRA_ERROR: the machine failed it. */
export enum FailureKind {
  USER_ERROR = "USER_ERROR",
  INFRA_ERROR = "INFRA_ERROR",
}

export enum DeviceKind {
  CPU = "CPU",
  CUDA = "CUDA",
}

export enum DeviceRequirement {
  CPU = "CPU",
  CUDA = "CUDA",
  ANY = "ANY",
}
