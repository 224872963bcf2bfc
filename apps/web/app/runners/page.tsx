import { AppHeader } from "../../components/app-header";
import { RunnersTable } from "../../components/runners-table";
import { RUNNERS, type RunningRun } from "../../lib/runner-operations";
import { requireSession } from "../../lib/session";
import "../../styles/runners.css";

export const metadata = { title: "Runners · Distillery" };

export default async function RunnersPage() {
  const { me, client } = await requireSession();
  const { runners, runs } = await client.request(RUNNERS, {});
  const running = new Map<string, RunningRun[]>();
  for (const { node: run } of runs.edges) {
    const holder = run.job.runner?.id;
    if (holder) running.set(holder, [...(running.get(holder) ?? []), run]);
  }
  const online = runners.filter((runner) => runner.online).length;
  return (
    <>
      <AppHeader me={me} />
      <main>
        <h1>Runners</h1>
        {runners.length === 0 ? (
          <p className="empty">No runner is registered yet. Start one (distillery-runner with a RUNNER token, or distillery up) and it shows here.</p>
        ) : (
          <>
            <p className="total">
              {runners.length} {runners.length === 1 ? "runner" : "runners"}, {online} online
            </p>
            <RunnersTable runners={runners} running={running} now={new Date()} />
          </>
        )}
      </main>
    </>
  );
}
