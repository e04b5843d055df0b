/**
 * Browser smoke test of the built client in headless Chromium, with no network beyond localhost.
 *
 *   node tests/smoke.mjs <page url> <amplify_outputs.json> <artifact dir> [search,service]
 *
 * The page must be served with the given amplify_outputs.json beside index.html.
 * 1. Signed out: the sign-in form renders; Amplify configured the GraphQL client with the
 *    file's endpoint, region and auth mode; signing in asks the file's user pool client.
 * 2. Signed in (Cognito tokens placed in storage as a sign-in leaves them): the items are
 *    listed, created, searched and deleted through the file's GraphQL endpoint with the
 *    user's token, a subscription update is shown live, the HTTP-resolver query answers,
 *    and sign-out returns to the form.
 * AWS is played here by the browser's request router (Cognito, AppSync and its real-time
 * WebSocket); AppSync's part executes every document with graphql-js against the project's
 * schema.graphql, so any mismatch between client and schema fails the test. Any other request
 * off localhost fails it too. Screenshots of both states
 * go to the artifact dir. Chromium: /usr/bin/chromium (Debian's) unless CHROMIUM names another.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSchema, execute, graphql, parse, validate } from "graphql";
import { chromium } from "playwright-core";

const [url, outputsPath, artifacts, featureList = ""] = process.argv.slice(2);
if (!url || !outputsPath || !artifacts) {
  console.error("usage: node tests/smoke.mjs <page url> <amplify_outputs.json> <artifact dir> [search,service]");
  process.exit(2);
}
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
if (!existsSync(executablePath)) {
  console.error(`${executablePath} not found: install Debian's chromium (apt-get install chromium)`);
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });
const features = new Set(featureList.split(",").filter(Boolean));
const outputs = JSON.parse(readFileSync(outputsPath, "utf-8"));
const AUTH_MODES = { AMAZON_COGNITO_USER_POOLS: "userPool", AWS_IAM: "iam", API_KEY: "apiKey" };
const cognitoHost = `cognito-idp.${outputs.auth.aws_region}.amazonaws.com`;
const pageOrigin = new URL(url).origin;
const failures = [];
const offHost = [];
const api = new URL("../../{{ cookiecutter.package_name }}/api/", import.meta.url);
const schema = buildSchema(
  ["appsync_prelude.graphql", "schema.graphql"].map((name) => readFileSync(new URL(name, api), "utf-8")).join("\n"),
);

function check(condition, message) {
  if (!condition) failures.push(message);
}

/** A JWT as Cognito issues it; the client decodes tokens but cannot check their signature. */
function jwt(claims) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: "RS256", kid: "smoke" })}.${part({ iat: now, exp: now + 3600, ...claims })}.c2lnbmF0dXJl`;
}

/** Cognito's user pool API, as far as the client uses it. */
function cognito(calls) {
  return async (route) => {
    const request = route.request();
    const target = (request.headers()["x-amz-target"] ?? "").split(".").pop();
    calls.push({ target, body: request.postDataJSON() });
    const reply = (status, body) =>
      route.fulfill({
        status,
        contentType: "application/x-amz-json-1.1",
        headers: { "access-control-allow-origin": "*", "access-control-expose-headers": "x-amzn-errortype" },
        body: JSON.stringify(body),
      });
    if (target === "GetUser") return reply(200, { Username: USER.sub, UserAttributes: [{ Name: "email", Value: USER.email }] });
    if (target === "RevokeToken" || target === "GlobalSignOut") return reply(200, {});
    return reply(400, { __type: "NotAuthorizedException", message: "Incorrect username or password." });
  };
}

/**
 * The GraphQL API over HTTP, executed by graphql-js against the project's own schema.graphql:
 * every document is validated and its variables coerced as AppSync would, so a client that
 * sends what the schema refuses (or selects what it lacks) fails here. The data is in memory.
 */
function localApi(items, requests) {
  let next = items.length + 1;
  const now = () => new Date().toISOString();
  const root = {
    listItems: ({ limit }) => ({ items: items.slice(0, limit ?? 20), nextToken: null }),
    getItem: ({ id }) => items.find((i) => i.id === id) ?? null,
    createItem: ({ input }) => {
      const item = { id: `item-${next++}`, owner: USER.sub, createdAt: now(), updatedAt: now(), ...input };
      items.push(item);
      return item;
    },
    deleteItem: ({ id }) => {
      const at = items.findIndex((i) => i.id === id);
      return at < 0 ? null : items.splice(at, 1)[0];
    },
    searchItems: ({ text }) => {
      const found = items.filter((i) => i.name.toLowerCase().includes(text.toLowerCase()));
      return { items: found, total: found.length };
    },
    recommendations: () => [{ itemId: items[0].id, score: 1, reason: `recently changed: ${items[0].name}` }],
  };
  return async (route) => {
    const request = route.request();
    if (request.method() === "OPTIONS") {
      return route.fulfill({ status: 204, headers: corsHeaders });
    }
    const { query, variables = {}, operationName } = request.postDataJSON();
    requests.push({ url: request.url(), authorization: request.headers()["authorization"], query, variables });
    const result = await graphql({ schema, source: query, variableValues: variables, operationName, rootValue: root });
    if (result.errors?.length) {
      failures.push(`GraphQL errors for ${JSON.stringify(variables)}:\n${query}\n${result.errors.map((e) => e.message).join("\n")}`);
    }
    return route.fulfill({ status: 200, contentType: "application/json", headers: corsHeaders, body: JSON.stringify(result) });
  };
}
const corsHeaders = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "*",
  "access-control-allow-methods": "POST, OPTIONS",
};

/** AppSync's real-time endpoint (the graphql-ws protocol AppSync speaks); documents are validated against the schema. */
function localRealtime(subscriptions) {
  return (socket) => {
    socket.onMessage((raw) => {
      const message = JSON.parse(String(raw));
      if (message.type === "connection_init") {
        socket.send(JSON.stringify({ type: "connection_ack", payload: { connectionTimeoutMs: 300000 } }));
      } else if (message.type === "start") {
        const request = JSON.parse(message.payload.data);
        const errors = validate(schema, parse(request.query));
        if (errors.length) failures.push(`subscription invalid:\n${request.query}\n${errors.map((e) => e.message).join("\n")}`);
        subscriptions.push({ id: message.id, socket, ...message.payload, request });
        socket.send(JSON.stringify({ type: "start_ack", id: message.id }));
      }
    });
  };
}

async function blockOtherHosts(context) {
  await context.route("**/*", (route) => {
    const target = new URL(route.request().url());
    if (target.origin === pageOrigin) return route.continue();
    offHost.push(route.request().url());
    return route.abort("blockedbyclient");
  });
  await context.routeWebSocket(/.*/, (socket) => {
    offHost.push(socket.url());
    socket.close();
  });
}

const USER = { sub: "0f1e2d3c-0000-4000-8000-00000000a11c", email: "alice@example.com" };

/** Cognito identity pools: the signed-in user's AWS credentials, which Amplify fetches with the session. */
function identityPool(calls) {
  return (route) => {
    const target = (route.request().headers()["x-amz-target"] ?? "").split(".").pop();
    calls.push({ target, body: route.request().postDataJSON() });
    const identityId = `${outputs.auth.aws_region}:11111111-2222-4333-8444-555555555555`;
    const expiration = Math.floor(Date.now() / 1000) + 3600;
    const body =
      target === "GetId"
        ? { IdentityId: identityId }
        : {
            IdentityId: identityId,
            Credentials: { AccessKeyId: "ASIASMOKE", SecretKey: "smoke", SessionToken: "smoke", Expiration: expiration },
          };
    return route.fulfill({
      status: 200,
      contentType: "application/x-amz-json-1.1",
      headers: { "access-control-allow-origin": "*" },
      body: JSON.stringify(body),
    });
  };
}

async function signedOut(browser) {
  const context = await browser.newContext({ viewport: { width: 900, height: 640 } });
  const calls = [];
  await blockOtherHosts(context);
  await context.route(`https://${cognitoHost}/**`, cognito(calls));
  const page = await context.newPage();
  page.on("pageerror", (error) => failures.push(`page error: ${error.message}`));
  await page.goto(url);
  const form = page.getByTestId("sign-in");
  await form.waitFor({ timeout: 15000 });
  for (const name of ["email", "password"]) {
    check(await form.locator(`input[name=${name}]`).isVisible(), `sign-in form has no ${name} field`);
  }
  const expected = {
    "graphql-endpoint": outputs.data.url,
    "graphql-auth-mode": AUTH_MODES[outputs.data.default_authorization_type],
    "graphql-region": outputs.data.aws_region,
    "user-pool": outputs.auth.user_pool_id,
  };
  for (const [testId, value] of Object.entries(expected)) {
    const shown = (await page.getByTestId(testId).textContent())?.trim();
    check(shown === value, `${testId}: page shows ${JSON.stringify(shown)}, expected ${JSON.stringify(value)}`);
  }
  await form.locator("input[name=email]").fill(USER.email);
  await form.locator("input[name=password]").fill("not-the-password-1A!");
  await form.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("auth-message").filter({ hasText: "Incorrect username or password." }).waitFor({ timeout: 15000 });
  const initiate = calls.find((c) => c.target === "InitiateAuth");
  check(initiate, `no InitiateAuth request reached ${cognitoHost}`);
  check(
    initiate?.body.ClientId === outputs.auth.user_pool_client_id,
    `InitiateAuth used client ${initiate?.body.ClientId}, expected ${outputs.auth.user_pool_client_id}`,
  );
  await page.screenshot({ path: join(artifacts, "web-client-sign-in.png"), fullPage: true });
  await context.close();
  return { signedOut: expected };
}

async function signedIn(browser) {
  const clientId = outputs.auth.user_pool_client_id;
  const issuer = `https://${cognitoHost}/${outputs.auth.user_pool_id}`;
  const accessToken = jwt({ sub: USER.sub, username: USER.sub, client_id: clientId, token_use: "access", iss: issuer });
  const idToken = jwt({ sub: USER.sub, email: USER.email, aud: clientId, token_use: "id", iss: issuer });
  const prefix = `CognitoIdentityServiceProvider.${clientId}`;
  const storage = {
    [`${prefix}.LastAuthUser`]: USER.sub,
    [`${prefix}.${USER.sub}.accessToken`]: accessToken,
    [`${prefix}.${USER.sub}.idToken`]: idToken,
    [`${prefix}.${USER.sub}.refreshToken`]: "smoke-refresh-token",
    [`${prefix}.${USER.sub}.clockDrift`]: "0",
  };
  const stored = (id, name, description, price, at) => ({ id, owner: USER.sub, name, description, price, createdAt: at, updatedAt: at });
  const items = [
    stored("item-1", "Desk lamp", "warm white", 24.5, "2026-01-01T00:00:00Z"),
    stored("item-2", "Notebook", null, 3, "2026-01-02T00:00:00Z"),
  ];
  const requests = [];
  const subscriptions = [];
  const calls = [];
  const context = await browser.newContext({ viewport: { width: 900, height: 640 } });
  await blockOtherHosts(context);
  await context.route(`https://${cognitoHost}/**`, cognito(calls));
  await context.route(`https://cognito-identity.${outputs.auth.aws_region}.amazonaws.com/**`, identityPool(calls));
  await context.route(outputs.data.url, localApi(items, requests));
  await context.routeWebSocket(/appsync-realtime-api/, localRealtime(subscriptions));
  // Only on the first load: sign-out must be able to clear what a sign-in stored.
  await context.addInitScript((entries) => {
    if (!sessionStorage.getItem("smoke-seeded")) {
      for (const [key, value] of Object.entries(entries)) localStorage.setItem(key, value);
      sessionStorage.setItem("smoke-seeded", "yes");
    }
  }, storage);
  const page = await context.newPage();
  page.on("pageerror", (error) => failures.push(`page error: ${error.message}`));
  await page.goto(url);

  const rows = page.getByTestId("items").locator("li[data-id]");
  const expectRows = async (names, what) => {
    try {
      await page.waitForFunction(
        (expected) =>
          JSON.stringify([...document.querySelectorAll("[data-testid=items] li[data-id] strong")].map((e) => e.textContent)) ===
          JSON.stringify(expected),
        names,
        { timeout: 10000 },
      );
    } catch {
      failures.push(`${what}: list shows ${JSON.stringify(await rows.locator("strong").allTextContents())}, expected ${JSON.stringify(names)}`);
    }
  };
  await page.getByTestId("user").filter({ hasText: USER.email }).waitFor({ timeout: 15000 })
    .catch(async (error) => {
      await page.screenshot({ path: join(artifacts, "web-client-items.png"), fullPage: true });
      throw error;
    });
  await expectRows(["Desk lamp", "Notebook"], "after sign-in");
  check(requests.length > 0 && requests.every((r) => r.url === outputs.data.url), "GraphQL requests went elsewhere");
  check(requests.every((r) => r.authorization === accessToken), "GraphQL requests did not carry the user's access token");

  const create = page.getByTestId("create-item");
  await create.locator("input[name=name]").fill("Plant pot");
  await create.locator("input[name=description]").fill("terracotta");
  const priceField = create.locator("input[name=price]");
  if (await priceField.count()) await priceField.fill("7.25");
  else failures.push("the create form has no price field (CreateItemInput.price is required)");
  await create.getByRole("button", { name: "Add" }).click();
  await expectRows(["Desk lamp", "Notebook", "Plant pot"], "after create");
  const created = requests.find((r) => /\bcreateItem\b/.test(r.query));
  const sent = created?.variables.input;
  check(sent?.name === "Plant pot" && sent?.description === "terracotta" && sent?.price === 7.25,
    `createItem sent ${JSON.stringify(created?.variables)}`);

  await page.getByTestId("live").filter({ hasText: "Live updates on." }).waitFor({ timeout: 10000 })
    .catch(() => failures.push("the real-time connection was not reported as connected"));
  const subscription = subscriptions.find((s) => /\bonItemChanged\b/.test(s.request.query));
  check(subscription, `no onItemChanged subscription started (got ${subscriptions.length})`);
  check(subscription?.extensions?.authorization?.Authorization === accessToken, "subscription did not carry the user's access token");
  if (subscription) {
    const elsewhere = stored("item-9", "Bike bell", "added on another device", 9.99, "2026-01-03T00:00:00Z");
    items.push(elsewhere);
    // The event as AppSync shapes it: the subscription's own selection over the changed item.
    const event = await execute({ schema, document: parse(subscription.request.query), rootValue: { onItemChanged: elsewhere } });
    if (event.errors?.length) failures.push(`subscription event: ${event.errors.map((e) => e.message).join("; ")}`);
    subscription.socket.send(JSON.stringify({ type: "data", id: subscription.id, payload: event }));
    await page.getByTestId("live").filter({ hasText: "Bike bell" }).waitFor({ timeout: 10000 }).catch(() => failures.push("subscription update not shown"));
    await expectRows(["Desk lamp", "Notebook", "Plant pot", "Bike bell"], "after a live update");
  }

  const search = page.getByTestId("search-items");
  check((await search.count()) === (features.has("search") ? 1 : 0), `search form present: ${await search.count()}`);
  if (features.has("search")) {
    await search.locator("input[name=query]").fill("lamp");
    await search.getByRole("button", { name: "Search" }).click();
    await expectRows(["Desk lamp"], "after searching 'lamp'");
    await search.locator("input[name=query]").fill("");
    await search.getByRole("button", { name: "Search" }).click();
    await expectRows(["Desk lamp", "Notebook", "Plant pot", "Bike bell"], "after clearing the search");
  }
  const service = page.getByRole("button", { name: "Recommend from the container service" });
  check((await service.count()) === (features.has("service") ? 1 : 0), `service button present: ${await service.count()}`);
  if (features.has("service")) {
    await service.click();
    await page.getByTestId("recommendations").filter({ hasText: "recently changed: Desk lamp" }).waitFor({ timeout: 10000 })
      .catch(() => failures.push("recommendations not shown"));
  }

  await rows.filter({ hasText: "Notebook" }).getByRole("button", { name: "Delete Notebook" }).click();
  await expectRows(["Desk lamp", "Plant pot", "Bike bell"], "after delete");
  check(requests.some((r) => /\bdeleteItem\b/.test(r.query) && r.variables.id === "item-2"), "deleteItem not sent for item-2");
  await page.screenshot({ path: join(artifacts, "web-client-items.png"), fullPage: true });

  await page.getByTestId("sign-out").click();
  await page.getByTestId("sign-in").waitFor({ timeout: 10000 }).catch(() => failures.push("sign-out did not return to the form"));
  const left = await page.evaluate((p) => Object.keys(localStorage).filter((k) => k.startsWith(p) && k.endsWith("Token")), prefix);
  check(left.length === 0, `tokens left after sign-out: ${left.join(", ")}`);
  await context.close();
  return {
    graphql: requests.map((r) => r.query.match(/\b(query|mutation) (\w+)/)?.[2]),
    subscriptions: subscriptions.length,
    cognito: calls.map((c) => c.target),
  };
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const report = {};
try {
  Object.assign(report, await signedOut(browser));
  Object.assign(report, await signedIn(browser));
} catch (error) {
  failures.push(String(error));
} finally {
  await browser.close();
}
if (offHost.length) failures.push(`requests off localhost: ${offHost.join(", ")}`);
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log(JSON.stringify({ ok: true, ...report }));
