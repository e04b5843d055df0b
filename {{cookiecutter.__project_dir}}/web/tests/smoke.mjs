/**
 * Browser smoke test of the built client in headless Chromium (no network beyond localhost).
 *
 *   node tests/smoke.mjs <page url> <amplify_outputs.json> <screenshot.png>
 *
 * The page must be served with the given amplify_outputs.json beside index.html. Checks
 * that the sign-in form renders, that Amplify configured the GraphQL client with the
 * file's endpoint and auth mode, and that signing in goes to the file's user pool client
 * (the request is answered here, never sent). Any other request off localhost fails the test.
 * Chromium: /usr/bin/chromium (Debian's package) unless CHROMIUM names another.
 */
import { existsSync, readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [url, outputsPath, screenshotPath] = process.argv.slice(2);
if (!url || !outputsPath || !screenshotPath) {
  console.error("usage: node tests/smoke.mjs <page url> <amplify_outputs.json> <screenshot.png>");
  process.exit(2);
}
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
if (!existsSync(executablePath)) {
  console.error(`${executablePath} not found: install Debian's chromium (apt-get install chromium)`);
  process.exit(2);
}
const outputs = JSON.parse(readFileSync(outputsPath, "utf-8"));
const AUTH_MODES = { AMAZON_COGNITO_USER_POOLS: "userPool", AWS_IAM: "iam", API_KEY: "apiKey" };
const expected = {
  "graphql-endpoint": outputs.data.url,
  "graphql-auth-mode": AUTH_MODES[outputs.data.default_authorization_type],
  "graphql-region": outputs.data.aws_region,
  "user-pool": outputs.auth.user_pool_id,
};
const cognitoHost = `cognito-idp.${outputs.auth.aws_region}.amazonaws.com`;
const pageOrigin = new URL(url).origin;

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
const failures = [];
const offHost = [];
const signInRequests = [];
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  page.on("pageerror", (error) => failures.push(`page error: ${error.message}`));
  await page.route("**/*", async (route) => {
    const request = route.request();
    const target = new URL(request.url());
    if (target.origin === pageOrigin) return route.continue();
    if (target.host === cognitoHost) {
      signInRequests.push({ target: request.headers()["x-amz-target"], body: request.postDataJSON() });
      return route.fulfill({
        status: 400,
        contentType: "application/x-amz-json-1.1",
        headers: { "access-control-allow-origin": "*", "x-amzn-errortype": "NotAuthorizedException" },
        body: JSON.stringify({ __type: "NotAuthorizedException", message: "Incorrect username or password." }),
      });
    }
    offHost.push(request.url());
    return route.abort("blockedbyclient");
  });

  await page.goto(url);
  const form = page.getByTestId("sign-in");
  await form.waitFor({ state: "visible", timeout: 15000 });
  for (const name of ["email", "password"]) {
    if (!(await form.locator(`input[name=${name}]`).isVisible())) failures.push(`sign-in form has no ${name} field`);
  }
  for (const [testId, value] of Object.entries(expected)) {
    const shown = (await page.getByTestId(testId).textContent())?.trim();
    if (shown !== value) failures.push(`${testId}: page shows ${JSON.stringify(shown)}, expected ${JSON.stringify(value)}`);
  }

  await form.locator("input[name=email]").fill("someone@example.com");
  await form.locator("input[name=password]").fill("not-the-password-1A!");
  await form.getByRole("button", { name: "Sign in" }).click();
  const message = page.getByTestId("auth-message");
  await message.filter({ hasText: "Incorrect username or password." }).waitFor({ timeout: 15000 });
  const initiate = signInRequests.find((r) => r.target === "AWSCognitoIdentityProviderService.InitiateAuth");
  if (!initiate) failures.push(`no InitiateAuth request reached ${cognitoHost}`);
  else if (initiate.body.ClientId !== outputs.auth.user_pool_client_id) {
    failures.push(`InitiateAuth used client ${initiate.body.ClientId}, expected ${outputs.auth.user_pool_client_id}`);
  }
  await page.screenshot({ path: screenshotPath, fullPage: true });
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
console.log(JSON.stringify({ ok: true, checked: expected, signIn: signInRequests.map((r) => r.target) }));
