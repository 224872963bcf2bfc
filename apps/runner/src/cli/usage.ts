export const usage = `distillery-runner --api URL --token TOKEN [options]

Registers with a Distillery API, leases jobs and runs them.

Options:
  --api URL                 the API (or DISTILLERY_API), e.g. http://127.0.0.1:4000
  --token TOKEN             a token with the RUNNER scope (or DISTILLERY_TOKEN)
  --name NAME               runner name, unique per machine (or DISTILLERY_RUNNER_NAME; default: hostname)
  --labels a,b              labels jobs can require
  --work-dir DIR            job directories and the spool (default: ./runner-work)
  --allow-command-jobs      run COMMAND experiments: arbitrary programs with this runner's rights
  --python PATH             the Python for training steps (or DISTILLERY_PYTHON; default: /usr/bin/python3)
  --kill-grace-seconds N    after SIGTERM, wait N s before SIGKILL when a job is stopped (default: 10)
  --once                    exit after one job: status 0 when it succeeded
  --help                    show this text

Exit status: 0 done, 1 failed (or --once and the job did not succeed), 2 bad arguments,
3 the API refused the token.
`;
