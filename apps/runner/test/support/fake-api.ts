import { createHash, randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { Socket } from "node:net";
import type { MetricPointInput } from "../../src/api/types";

/**
 * The runner protocol as an in-memory GraphQL-over-HTTP server, just enough of it to test the
 * runner against: it dispatches on operationName (test/operations.test.ts checks the documents
 * themselves), dedupes batch ids and log offsets, fences every job call by lease id, and can be
 * stopped and started on the same port to play an API that goes away.
 */

export interface FakeJob {
  id: string;
  runId: string;
  experiment: { id: string; name: string; kind: string; spec: Record<string, unknown> };
  capabilities: string[];
  state: "QUEUED" | "LEASED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED" | "DEAD";
  attempt: number;
  maxAttempts: number;
  leaseId: string | null;
  leaseSeconds: number;
  cancelRequested: boolean;
  progress: number[];
  heartbeats: number;
  result?: Record<string, unknown>;
  failure?: { kind: string; message: string };
  /** Every complete/fail that reached the server, with the lease it came under. */
  reports: Array<{ type: "complete" | "fail"; leaseId: string }>;
}

export interface FakeRun {
  metrics: Array<MetricPointInput & { batchId: string }>;
  batchIds: Set<string>;
  log: Buffer;
}

export interface FakeRunner {
  id: string;
  name: string;
  labels: string[];
  capabilities: string[];
  device: { kind: string; name?: string; memoryGb?: number };
}

/** A version registerJobArtifact made: the input as it came, and what it became. */
export interface FakeModelVersion {
  id: string;
  ref: string;
  runId: string;
  artifact: string;
  input: Record<string, any>;
}

/** A platform dataset (what registerDataset made): its npz blob is in `blobs`. */
export interface FakeDataset {
  name: string;
  version: number;
  ref: string;
  digest: string;
}

export interface FakeBlobPut {
  hex: string;
  status: number;
}

/** A blob GET that was answered: its status, and whether the bytes were corrupted on purpose. */
export interface FakeBlobGet {
  hex: string;
  status: number;
  corrupted?: boolean;
}

export interface FakeCall {
  operation: string;
  variables: Record<string, any>;
}

export interface FakeApiOptions {
  token?: string;
  /** Tokens that authenticate but lack the RUNNER scope. */
  forbiddenTokens?: string[];
  leaseSeconds?: number;
  /** Caps acquireJob's long-poll so tests do not wait 20 s for "no job". */
  maxWaitSeconds?: number;
}

class GraphQLFailure extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly reason: string,
    readonly details: Record<string, unknown> = {},
    readonly status = 200,
  ) {
    super(message);
  }
}

export class FakeApi {
  readonly runners = new Map<string, FakeRunner>();
  readonly jobs: FakeJob[] = [];
  readonly runs = new Map<string, FakeRun>();
  readonly calls: FakeCall[] = [];
  /** Apply the next N calls of an operation, then cut the connection instead of answering. */
  readonly dropResponses = new Map<string, number>();
  /** Blobs by hex digest, as PUT /v1/blobs/sha256/<hex> stored them. */
  readonly blobs = new Map<string, Buffer>();
  /** Every blob PUT that was answered, in order. */
  readonly blobPuts: FakeBlobPut[] = [];
  /** Answer the next N blob PUTs 503 (after reading the body), like an overloaded API. */
  failBlobPuts = 0;
  readonly versions: FakeModelVersion[] = [];
  /** Platform datasets, for dataset(ref). */
  readonly datasets: FakeDataset[] = [];
  /** Aliases as `model@alias` -> `model@v<N>`, for modelVersion. */
  readonly aliases = new Map<string, string>();
  /** Every blob GET that was answered, in order. */
  readonly blobGets: FakeBlobGet[] = [];
  /** Serve the next N blob GETs with one byte flipped (the right length and headers), like a bad disk or proxy. */
  corruptBlobGets = 0;
  /** Sees every authenticated GraphQL call before it is resolved (to change the state under it). */
  onCall: ((call: FakeCall) => void) | undefined;
  private readonly events = new EventEmitter();
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private readonly token: string;
  private readonly leaseSeconds: number;
  private readonly maxWaitSeconds: number;

  private constructor(
    readonly port: number,
    private readonly options: FakeApiOptions,
  ) {
    this.token = options.token ?? "dst_runner_token";
    this.leaseSeconds = options.leaseSeconds ?? 6;
    this.maxWaitSeconds = options.maxWaitSeconds ?? 2;
    this.events.setMaxListeners(100);
  }

  static async start(options: FakeApiOptions = {}): Promise<FakeApi> {
    const api = new FakeApi(0, options);
    const port = await api.listen(0);
    (api as { port: number }).port = port;
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get runnerToken(): string {
    return this.token;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  addCommandJob(spec: { argv: string[]; env?: Record<string, string>; timeoutSeconds?: number }, options: { maxAttempts?: number } = {}): FakeJob {
    return this.addJob("COMMAND", { env: {}, timeoutSeconds: 60, ...spec }, ["command"], options);
  }

  addJob(kind: string, spec: Record<string, unknown>, capabilities: string[], options: { maxAttempts?: number } = {}): FakeJob {
    const runId = randomUUID();
    const job: FakeJob = {
      id: randomUUID(),
      runId,
      experiment: { id: randomUUID(), name: `exp-${this.jobs.length + 1}`, kind, spec },
      capabilities,
      state: "QUEUED",
      attempt: 0,
      maxAttempts: options.maxAttempts ?? 3,
      leaseId: null,
      leaseSeconds: this.leaseSeconds,
      cancelRequested: false,
      progress: [],
      heartbeats: 0,
      reports: [],
    };
    this.jobs.push(job);
    this.runs.set(runId, { metrics: [], batchIds: new Set(), log: Buffer.alloc(0) });
    this.events.emit("job");
    return job;
  }

  /**
   * A version registered outside any job (a teacher to distill from): its blob stored, its ref
   * `model@v<N>` numbered like registerJobArtifact's, `aliases` pointing at it.
   */
  addModelVersion(model: string, options: { format: "TORCH" | "ONNX"; bytes: Buffer; metadata?: Record<string, unknown>; aliases?: string[] }): FakeModelVersion {
    const hex = createHash("sha256").update(options.bytes).digest("hex");
    this.blobs.set(hex, options.bytes);
    const number = this.versions.filter((candidate) => candidate.input.model === model).length + 1;
    const version: FakeModelVersion = {
      id: randomUUID(),
      ref: `${model}@v${number}`,
      runId: "",
      artifact: "",
      input: { model, format: options.format, precision: "FP32", digest: `sha256:${hex}`, metadata: options.metadata ?? {}, parents: [] },
    };
    this.versions.push(version);
    for (const alias of options.aliases ?? []) this.aliases.set(`${model}@${alias}`, version.ref);
    return version;
  }

  /** A dataset registered outside any job: its blob stored, its ref `name@v<N>` numbered per name. */
  addDataset(name: string, bytes: Buffer): FakeDataset {
    const hex = createHash("sha256").update(bytes).digest("hex");
    this.blobs.set(hex, bytes);
    const version = this.datasets.filter((candidate) => candidate.name === name).length + 1;
    const dataset: FakeDataset = { name, version, ref: `${name}@v${version}`, digest: `sha256:${hex}` };
    this.datasets.push(dataset);
    return dataset;
  }

  run(job: FakeJob): FakeRun {
    const run = this.runs.get(job.runId);
    if (!run) throw new Error(`no run for job ${job.id}`);
    return run;
  }

  requestCancel(job: FakeJob): void {
    job.cancelRequested = true;
  }

  /** As if the lease expired and was reaped: the old lease id is fenced out from now on. */
  loseLease(job: FakeJob, next: "QUEUED" | "CANCELLED" = "CANCELLED"): void {
    job.leaseId = null;
    job.state = next;
    if (next === "QUEUED") this.events.emit("job");
  }

  callsOf(operation: string): FakeCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  /** Refuses connections from now on, like a crashed API; open connections are cut. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise((resolve) => server.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    this.events.emit("stop");
    await closed;
  }

  /** Listens again on the same port, with the same state: a restarted API on a durable database. */
  async restart(): Promise<void> {
    if (this.server) return;
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.stop();
  }

  private listen(port: number): Promise<number> {
    const server = createServer((request, response) => void this.handle(request, response));
    server.keepAliveTimeout = 60_000;
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        const address = server.address();
        resolve(typeof address === "object" && address ? address.port : port);
      });
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const blob = /^\/v1\/blobs\/sha256\/([^/?]*)$/.exec(request.url ?? "");
    if (blob && request.method === "PUT") return this.putBlob(blob[1] ?? "", request, response);
    if (blob && request.method === "GET") return this.getBlob(blob[1] ?? "", request, response);
    let body = "";
    for await (const chunk of request) body += String(chunk);
    if (request.url !== "/graphql" || request.method !== "POST") return this.send(response, 404, { errors: [{ message: "not found" }] });
    const { operationName, variables } = JSON.parse(body) as { operationName: string; variables: Record<string, any> };
    try {
      this.authenticate(request.headers.authorization);
      this.calls.push({ operation: operationName, variables });
      this.onCall?.({ operation: operationName, variables });
      const data = await this.resolve(operationName, variables);
      const drops = this.dropResponses.get(operationName) ?? 0;
      if (drops > 0) {
        this.dropResponses.set(operationName, drops - 1);
        request.socket.destroy();
        return;
      }
      this.send(response, 200, { data });
    } catch (error) {
      if (!(error instanceof GraphQLFailure)) throw error;
      this.send(response, error.status, {
        errors: [{ message: error.message, extensions: { code: error.code, reason: error.reason, details: error.details } }],
        data: null,
      });
    }
  }

  /** Like the API: streams the body through sha256, keeps it only if the digest matches. */
  private async putBlob(hex: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const answer = (status: number, body: unknown) => {
      this.blobPuts.push({ hex, status });
      this.send(response, status, body);
    };
    const token = request.headers.authorization?.replace(/^Bearer /, "");
    if (token !== this.token) {
      response.setHeader("connection", "close");
      return answer(401, { error: { code: "UNAUTHENTICATED", reason: "TOKEN_INVALID", message: "invalid token", details: {} } });
    }
    const hash = createHash("sha256");
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
      hash.update(chunk as Buffer);
      chunks.push(chunk as Buffer);
    }
    if (this.failBlobPuts > 0) {
      this.failBlobPuts -= 1;
      return answer(503, { error: { code: "INTERNAL_SERVER_ERROR", reason: "UNAVAILABLE", message: "try again", details: {} } });
    }
    const actual = hash.digest("hex");
    if (actual !== hex) {
      return answer(400, { error: { code: "BAD_USER_INPUT", reason: "DIGEST_MISMATCH", message: `the body hashes to ${actual}`, details: {} } });
    }
    const bytes = Buffer.concat(chunks);
    const created = !this.blobs.has(hex);
    if (created) this.blobs.set(hex, bytes);
    answer(created ? 201 : 200, { digest: `sha256:${hex}`, sizeBytes: bytes.length, created });
  }

  /** Like the API: the bytes with Content-Length and an ETag, 404 for a blob it does not have. */
  private getBlob(hex: string, request: IncomingMessage, response: ServerResponse): void {
    const token = request.headers.authorization?.replace(/^Bearer /, "");
    if (token !== this.token) {
      this.blobGets.push({ hex, status: 401 });
      return this.send(response, 401, { error: { code: "UNAUTHENTICATED", reason: "TOKEN_INVALID", message: "invalid token", details: {} } });
    }
    const bytes = this.blobs.get(hex);
    if (!bytes) {
      this.blobGets.push({ hex, status: 404 });
      return this.send(response, 404, { error: { code: "NOT_FOUND", reason: "BLOB_NOT_FOUND", message: `No blob sha256:${hex}`, details: {} } });
    }
    let body = bytes;
    const corrupted = this.corruptBlobGets > 0;
    if (corrupted) {
      this.corruptBlobGets -= 1;
      body = Buffer.from(bytes);
      body[body.length >> 1] = (body[body.length >> 1] ?? 0) ^ 0xff;
    }
    this.blobGets.push({ hex, status: 200, ...(corrupted ? { corrupted } : {}) });
    response.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length, etag: `"sha256:${hex}"` });
    // In pieces, as a stream from the store would come.
    for (let offset = 0; offset < body.length; offset += 256 * 1024) response.write(body.subarray(offset, offset + 256 * 1024));
    response.end();
  }

  private send(response: ServerResponse, status: number, body: unknown): void {
    if (response.destroyed) return;
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }

  private authenticate(header: string | undefined): void {
    const token = header?.replace(/^Bearer /, "");
    if (token && this.options.forbiddenTokens?.includes(token)) throw new GraphQLFailure("needs the RUNNER scope", "FORBIDDEN", "FORBIDDEN");
    if (token !== this.token) throw new GraphQLFailure("invalid token", "UNAUTHENTICATED", "TOKEN_INVALID", {}, 401);
  }

  private async resolve(operation: string, v: Record<string, any>): Promise<Record<string, unknown>> {
    switch (operation) {
      case "RegisterRunner":
        return { registerRunner: this.register(v.input) };
      case "AcquireJob":
        return { acquireJob: await this.acquire(v.runner as string, v.waitSeconds as number) };
      case "Heartbeat": {
        const job = this.leased(v.job, v.leaseId);
        job.heartbeats += 1;
        job.state = "RUNNING";
        if (typeof v.progress === "number") job.progress.push(v.progress);
        return { heartbeat: { cancelRequested: job.cancelRequested, leaseExpiresAt: this.expiry(job) } };
      }
      case "LogMetrics":
        return { logMetrics: this.logMetrics(this.leased(v.job, v.leaseId), v.batchId, v.points) };
      case "AppendLogs":
        return { appendLogs: this.appendLogs(this.leased(v.job, v.leaseId), v.offset, v.text) };
      case "CompleteJob":
        return { completeJob: this.settle(v.job, v.leaseId, "complete", (job) => ((job.state = "SUCCEEDED"), (job.result = v.result))) };
      case "FailJob":
        return { failJob: this.settle(v.job, v.leaseId, "fail", (job) => this.fail(job, v.kind, v.message)) };
      case "RegisterJobArtifact":
        return { registerJobArtifact: this.registerArtifact(this.leased(v.job, v.leaseId), v.input) };
      case "ModelVersion":
        return { modelVersion: this.modelVersion(v.ref) };
      case "Dataset":
        return { dataset: this.dataset(v.ref) };
      default:
        throw new GraphQLFailure(`unknown operation ${operation}`, "BAD_USER_INPUT", "INVALID_QUERY");
    }
  }

  private register(input: Omit<FakeRunner, "id">): FakeRunner {
    const existing = this.runners.get(input.name);
    const runner = { id: existing?.id ?? randomUUID(), name: input.name, labels: input.labels, capabilities: input.capabilities, device: input.device };
    this.runners.set(input.name, runner);
    return runner;
  }

  private async acquire(runnerId: string, waitSeconds: number): Promise<Record<string, unknown> | null> {
    const runner = [...this.runners.values()].find((candidate) => candidate.id === runnerId);
    if (!runner) throw new GraphQLFailure("no such runner", "NOT_FOUND", "RUNNER_NOT_FOUND");
    const deadline = Date.now() + Math.min(waitSeconds, this.maxWaitSeconds) * 1000;
    for (;;) {
      const job = this.jobs.find((candidate) => candidate.state === "QUEUED" && candidate.capabilities.every((needed) => runner.capabilities.includes(needed)));
      if (job) {
        job.state = "LEASED";
        job.attempt += 1;
        job.leaseId = randomUUID();
        const { id, state, attempt, maxAttempts, cancelRequested } = job;
        return {
          job: { id, state, attempt, maxAttempts, cancelRequested },
          leaseId: job.leaseId,
          leaseExpiresAt: this.expiry(job),
          leaseSeconds: job.leaseSeconds,
          run: { id: job.runId },
          experiment: job.experiment,
        };
      }
      const left = deadline - Date.now();
      if (left <= 0 || !this.server) return null;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.events.off("job", done);
          this.events.off("stop", done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.events.on("job", done);
        this.events.on("stop", done);
      });
    }
  }

  private leased(jobId: string, leaseId: string): FakeJob {
    const job = this.job(jobId);
    if (job.leaseId !== leaseId || (job.state !== "LEASED" && job.state !== "RUNNING")) {
      throw new GraphQLFailure(`The lease on job ${jobId} is no longer yours (the job is ${job.state})`, "CONFLICT", "LEASE_LOST", { job: jobId, state: job.state });
    }
    return job;
  }

  private job(jobId: string): FakeJob {
    const job = this.jobs.find((candidate) => candidate.id === jobId);
    if (!job) throw new GraphQLFailure(`No job ${jobId}`, "NOT_FOUND", "JOB_NOT_FOUND");
    return job;
  }

  private logMetrics(job: FakeJob, batchId: string, points: MetricPointInput[]) {
    const run = this.run(job);
    if (run.batchIds.has(batchId)) return { accepted: 0, duplicate: true };
    run.batchIds.add(batchId);
    run.metrics.push(...points.map((point) => ({ ...point, batchId })));
    return { accepted: points.length, duplicate: false };
  }

  private appendLogs(job: FakeJob, offset: number, text: string) {
    const run = this.run(job);
    if (offset > run.log.length) {
      throw new GraphQLFailure(`log offset ${offset} leaves a gap`, "BAD_USER_INPUT", "LOG_OFFSET_GAP", { expectedOffset: run.log.length });
    }
    const bytes = Buffer.from(text, "utf8");
    const overlap = run.log.length - offset;
    if (overlap < bytes.length) run.log = Buffer.concat([run.log, bytes.subarray(overlap)]);
    return { nextOffset: run.log.length };
  }

  /** complete/fail: applied once; a repeat under the same lease returns the job as it is. */
  private settle(jobId: string, leaseId: string, type: "complete" | "fail", apply: (job: FakeJob) => void) {
    const job = this.job(jobId);
    const live = job.leaseId === leaseId && (job.state === "LEASED" || job.state === "RUNNING");
    const repeat = job.reports.some((report) => report.leaseId === leaseId && report.type === type);
    if (!live && !repeat) throw new GraphQLFailure(`The lease on job ${jobId} is no longer yours`, "CONFLICT", "LEASE_LOST", { job: jobId });
    if (live) {
      job.reports.push({ type, leaseId });
      apply(job);
    }
    return { id: job.id, state: job.state };
  }

  private fail(job: FakeJob, kind: string, message: string): void {
    job.failure = { kind, message };
    if (job.cancelRequested) job.state = "CANCELLED";
    else if (kind === "USER_ERROR") job.state = "FAILED";
    else if (job.attempt >= job.maxAttempts) job.state = "DEAD";
    else {
      job.state = "QUEUED";
      job.leaseId = null;
      this.events.emit("job");
    }
  }

  /** Idempotent per (run, artifact), the blob uploaded first, parents known: like the API. */
  private registerArtifact(job: FakeJob, input: Record<string, any>) {
    const existing = this.versions.find((version) => version.runId === job.runId && version.artifact === input.artifact);
    const version =
      existing ??
      (() => {
        const hex = /^sha256:([0-9a-f]{64})$/.exec(String(input.digest))?.[1];
        if (!hex || !this.blobs.has(hex)) throw new GraphQLFailure(`Upload the blob first: ${input.digest}`, "NOT_FOUND", "BLOB_NOT_FOUND");
        for (const parent of input.parents ?? []) {
          if (!this.versions.some((candidate) => candidate.ref === parent.ref)) throw new GraphQLFailure(`No version ${parent.ref}`, "NOT_FOUND", "VERSION_NOT_FOUND");
        }
        const number = this.versions.filter((candidate) => candidate.input.model === input.model).length + 1;
        const created: FakeModelVersion = { id: randomUUID(), ref: `${input.model}@v${number}`, runId: job.runId, artifact: input.artifact, input };
        this.versions.push(created);
        return created;
      })();
    return { id: version.id, ref: version.ref, digest: version.input.digest };
  }

  /** name, name@latest (the newest), name@v<N>, name@<alias>; the fields the runner asks for. */
  private modelVersion(ref: string) {
    const [model, selector = "latest"] = ref.split("@");
    if (!model || !/^[a-z0-9][a-z0-9._-]*$/.test(model)) throw new GraphQLFailure(`"${ref}" is not a ref`, "BAD_USER_INPUT", "INVALID_REF", { ref });
    const ofModel = this.versions.filter((candidate) => candidate.input.model === model);
    if (ofModel.length === 0) throw new GraphQLFailure(`No model ${model}`, "NOT_FOUND", "MODEL_NOT_FOUND", { name: model });
    const wanted = selector === "latest" ? ofModel.at(-1)?.ref : /^v\d+$/.test(selector) ? `${model}@${selector}` : this.aliases.get(ref);
    const version = ofModel.find((candidate) => candidate.ref === wanted);
    if (!version) throw new GraphQLFailure(`No version ${ref}`, "NOT_FOUND", /^v\d+$/.test(selector) ? "VERSION_NOT_FOUND" : "ALIAS_NOT_FOUND", { ref });
    return { ref: version.ref, format: version.input.format, digest: version.input.digest, metadata: version.input.metadata ?? {} };
  }

  /** name (the newest version) or name@v<N>, like the API's dataset(ref); the fields the runner asks for. */
  private dataset(ref: string) {
    const match = /^([a-z0-9][a-z0-9._-]*)(?:@v(\d+))?$/.exec(ref);
    if (!match) throw new GraphQLFailure(`"${ref}" is not a dataset ref: name or name@v<N>`, "BAD_USER_INPUT", "INVALID_REF", { ref });
    const [, name, version] = match;
    const ofName = this.datasets.filter((candidate) => candidate.name === name);
    const dataset = version === undefined ? ofName.at(-1) : ofName.find((candidate) => candidate.version === Number(version));
    if (!dataset) throw new GraphQLFailure(`No dataset ${ref}`, "NOT_FOUND", "DATASET_NOT_FOUND", { ref });
    return { ref: dataset.ref, digest: dataset.digest };
  }

  private expiry(job: FakeJob): string {
    return new Date(Date.now() + job.leaseSeconds * 1000).toISOString();
  }
}
