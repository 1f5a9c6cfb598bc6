// @ts-check
// Starts the real switchboard binary for end-to-end tests: a fresh data
// directory, a random admin key, a free port; waits until /readyz answers,
// issues a virtual key through AdminService, and stops the process after.
// Nothing here is mocked: the tests talk to the gateway as any client would.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

// Generous: a cold start on a loaded 2-core CI machine opens SQLite and
// derives keys before it is ready. The bound only stops a hung run.
const readyTimeoutMs = 60_000;
const stopTimeoutMs = 15_000;
const outputLimit = 64 * 1024;

/**
 * @typedef {object} Gateway
 * @property {string} baseUrl   e.g. "http://127.0.0.1:43127"
 * @property {string} apiKey    a virtual key with no scope limits
 * @property {string} adminKey  the admin key the process was started with
 * @property {() => Promise<void>} stop  stops the process and removes its data
 */

/** The binary under test: $SWITCHBOARD_BIN, else <repo>/bin/switchboard. */
function gatewayBinary() {
  const fromEnv = process.env.SWITCHBOARD_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      throw new Error(`SWITCHBOARD_BIN=${fromEnv} does not exist; build it with: go build -o bin/switchboard ./cmd/switchboard`);
    }
    return resolve(fromEnv);
  }
  const built = join(repoRoot, "bin", "switchboard");
  if (!existsSync(built)) {
    throw new Error(
      `no gateway binary: set SWITCHBOARD_BIN or build ${built} first ` +
        `(cd ${repoRoot} && go build -o bin/switchboard ./cmd/switchboard); make test does this`,
    );
  }
  return built;
}

/** A port nobody listens on right now. */
async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * The child's environment: ours, minus anything that would make the run
 * depend on the machine (a provider key would route real traffic; a stray
 * SWITCHBOARD_* setting would change the configuration under test).
 * @param {Record<string, string>} own
 */
function childEnv(own) {
  /** @type {Record<string, string>} */
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || name.startsWith("SWITCHBOARD_") || name.endsWith("_API_KEY")) {
      continue;
    }
    env[name] = value;
  }
  return { ...env, ...own };
}

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts a gateway and returns once it is ready and a virtual key exists.
 * @returns {Promise<Gateway>}
 */
export async function startGateway() {
  const binary = gatewayBinary();
  const dataDir = await mkdtemp(join(tmpdir(), "switchboard-ts-"));
  const adminKey = `sk-sbadmin-${randomBytes(24).toString("base64url")}`;
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;

  const child = spawn(binary, ["serve", "--addr", `127.0.0.1:${port}`], {
    cwd: dataDir,
    env: childEnv({ SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_ADMIN_KEY: adminKey }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Kept for the failure message only; bounded so a chatty server cannot eat memory.
  let output = "";
  const keep = (/** @type {Buffer} */ data) => {
    output = (output + data.toString()).slice(-outputLimit);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  /** @type {Promise<void>} */
  const exited = new Promise((r) => child.once("exit", () => r()));
  let running = true;
  child.once("exit", () => {
    running = false;
  });
  // If the test process dies first, do not leave the gateway behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const stop = async () => {
    process.removeListener("exit", killOnExit);
    if (running) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  /** @param {string} what */
  const fail = async (what) => {
    await stop();
    // Output cannot hold a secret of this run worth hiding: the admin key is
    // random and dies with the process, and the server never prints keys.
    return new Error(`${what}\n--- switchboard output ---\n${output.replaceAll(adminKey, "<admin key>")}`);
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (!running) {
      throw await fail(`switchboard exited before it was ready (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    try {
      const res = await fetch(`${baseUrl}/readyz`);
      await res.arrayBuffer();
      if (res.status === 200) {
        break;
      }
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      throw await fail(`switchboard was not ready within ${readyTimeoutMs} ms at ${baseUrl}/readyz`);
    }
    await sleep(100);
  }

  let apiKey;
  try {
    apiKey = await createKey(baseUrl, adminKey, "ts-tests");
  } catch (err) {
    throw await fail(`creating a virtual key failed: ${err instanceof Error ? err.message : err}`);
  }
  return { baseUrl, apiKey, adminKey, stop };
}

/**
 * Issues a virtual key over plain HTTP with the Connect protocol's JSON
 * encoding, the way the README tells a newcomer to do it with curl.
 * @param {string} baseUrl
 * @param {string} adminKey
 * @param {string} name
 * @returns {Promise<string>}
 */
export async function createKey(baseUrl, adminKey, name) {
  const res = await fetch(`${baseUrl}/switchboard.v1.AdminService/CreateKey`, {
    method: "POST",
    headers: { Authorization: `Bearer ${adminKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name }),
  });
  const body = await res.text();
  if (res.status !== 200) {
    throw new Error(`CreateKey answered HTTP ${res.status}: ${body}`);
  }
  const secret = JSON.parse(body).secret;
  if (typeof secret !== "string" || !secret.startsWith("sk-sb-")) {
    throw new Error("CreateKey answered without a virtual key secret");
  }
  return secret;
}
