/**
 * Entry point: read amplify_outputs.json (written from the deployed stacks' outputs by
 * scripts/write_amplify_outputs.py), configure Amplify, then show sign-in or the items.
 */
import { Amplify } from "aws-amplify";
import { fetchUserAttributes, getCurrentUser, signOut } from "aws-amplify/auth";
import { Hub } from "aws-amplify/utils";

import { signInView } from "./auth";
import { errorText, h } from "./dom";
import { itemsView } from "./items";
import "./style.css";

const root = document.querySelector<HTMLElement>("#app")!;
const footer = document.querySelector<HTMLElement>("#connection")!;
let closeItems = () => {};

async function loadOutputs(): Promise<Record<string, unknown>> {
  const response = await fetch(new URL("amplify_outputs.json", document.baseURI), { cache: "no-store" });
  if (!response.ok) {
    throw new Error(
      `amplify_outputs.json: HTTP ${response.status}; write it with \`make web\` after \`make deploy\``,
    );
  }
  return response.json();
}

/** What the GraphQL client and the auth category were configured with, as Amplify parsed it. */
function showConnection(): void {
  const config = Amplify.getConfig();
  const graphql = config.API?.GraphQL;
  const entry = (label: string, testId: string, value = "(not configured)") => [
    h("dt", {}, label),
    h("dd", { "data-testid": testId }, value),
  ];
  footer.replaceChildren(
    h(
      "dl",
      {},
      ...entry("GraphQL endpoint", "graphql-endpoint", graphql?.endpoint),
      ...entry("Auth mode", "graphql-auth-mode", graphql?.defaultAuthMode),
      ...entry("Region", "graphql-region", graphql?.region),
      ...entry("User pool", "user-pool", config.Auth?.Cognito.userPoolId),
    ),
  );
}

function showSignIn(notice = ""): void {
  closeItems();
  root.replaceChildren(signInView(() => void showSignedIn(), notice));
}

async function showSignedIn(): Promise<void> {
  const user = await getCurrentUser();
  const email = (await fetchUserAttributes().catch(() => ({ email: undefined }))).email ?? user.username;
  const items = itemsView(email, () => void signOut());
  closeItems();
  closeItems = items.close;
  root.replaceChildren(items.view);
}

async function start(): Promise<void> {
  try {
    Amplify.configure(await loadOutputs());
  } catch (error) {
    root.replaceChildren(h("p", { role: "alert", "data-testid": "config-error" }, errorText(error)));
    return;
  }
  showConnection();
  // Sign-out here or in another tab, or a session that can no longer be refreshed.
  Hub.listen("auth", ({ payload }) => {
    if (payload.event === "signedOut") showSignIn("Signed out.");
    if (payload.event === "tokenRefresh_failure") showSignIn("Your session has ended; sign in again.");
  });
  try {
    await getCurrentUser();
  } catch {
    showSignIn();
    return;
  }
  await showSignedIn();
}

void start();
