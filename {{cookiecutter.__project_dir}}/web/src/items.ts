/**
 * The signed-in user's items through the GraphQL API: list, create, delete, search,
 * live updates from the onItemChanged subscription, and (with the service tier) one
 * query that AppSync's HTTP resolver answers from the container service.
 */
import {
  CONNECTION_STATE_CHANGE,
  ConnectionState,
  generateClient,
  type GraphQLResult,
  type GraphQLSubscription,
} from "aws-amplify/api";
import { Hub } from "aws-amplify/utils";

import * as ops from "../graphql/operations";
import { busy, errorText, field, h, messageLine } from "./dom";

const client = generateClient();
const price = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

async function query<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
  // Untyped documents: the result's shape is declared beside each document in operations.ts.
  const result = (await client.graphql<unknown>({ query: document, variables })) as GraphQLResult<T>;
  if (result.errors?.length) throw result;
  return result.data;
}

export function itemsView(email: string, onSignOut: () => void): { view: HTMLElement; close: () => void } {
  const list = h("ul", { class: "items", "data-testid": "items" });
  const status = messageLine("items-message");
  const live = h("p", { class: "live", "data-testid": "live" }, "Connecting to live updates…");
  const stopWatchingConnection = Hub.listen("api", ({ payload }) => {
    if (payload.event !== CONNECTION_STATE_CHANGE) return;
    const state = (payload.data as { connectionState: ConnectionState }).connectionState;
    live.textContent = state === ConnectionState.Connected ? "Live updates on." : `Live updates: ${state}.`;
  });
  const signOutButton = h("button", { type: "button", "data-testid": "sign-out" }, "Sign out");
  signOutButton.addEventListener("click", onSignOut);

  const createForm = h(
    "form",
    { "data-testid": "create-item", "aria-label": "New item" },
    h("input", { name: "name", placeholder: "Name", "aria-label": "Name", required: true, maxlength: "200" }),
    h("input", { name: "description", placeholder: "Description", "aria-label": "Description", maxlength: "2000" }),
    h("input", {
      name: "price", type: "number", placeholder: "Price", "aria-label": "Price", required: true, min: "0", step: "0.01",
    }),
    h("button", { type: "submit" }, "Add"),
  );
  createForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(createForm, status, async () => {
      const input: ops.CreateItemInput = {
        name: field(createForm, "name"),
        description: field(createForm, "description") || null,
        price: Number(field(createForm, "price")),
      };
      await query<ops.CreateItemResult>(ops.createItem, { input });
      createForm.reset();
      await refresh();
    });
  });

  const render = (items: ops.Item[], emptyText: string) => {
    list.replaceChildren(...items.map(itemRow));
    if (!items.length) list.append(h("li", { class: "empty" }, emptyText));
  };
  const itemRow = (item: ops.Item) => {
    const remove = h("button", { type: "button", class: "link", "aria-label": `Delete ${item.name}` }, "Delete");
    remove.addEventListener("click", async () => {
      remove.disabled = true;
      try {
        await query<ops.DeleteItemResult>(ops.deleteItem, { id: item.id });
        await refresh();
      } catch (error) {
        status.textContent = errorText(error);
        remove.disabled = false;
      }
    });
    return h(
      "li",
      { "data-id": item.id },
      h("strong", {}, item.name),
      h("span", {}, item.description ?? ""),
      h("span", { class: "price" }, price.format(item.price)),
      remove,
    );
  };
  const refresh = async () => {
    const data = await query<ops.ListItemsResult>(ops.listItems, { limit: 50 });
    render(data.listItems.items, "No items yet.");
  };

  const sections: HTMLElement[] = [createForm];
  const searchDocument = ops.searchItems;
  if (searchDocument) {
    const searchForm = h(
      "form",
      { "data-testid": "search-items", role: "search" },
      h("input", { name: "query", type: "search", placeholder: "Search items", "aria-label": "Search items" }),
      h("button", { type: "submit" }, "Search"),
    );
    searchForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = field(searchForm, "query");
      void busy(searchForm, status, async () => {
        if (!text) return refresh();
        const data = await query<ops.SearchItemsResult>(searchDocument, { text, limit: 50 });
        render(data.searchItems.items, `Nothing matches “${text}”.`);
      });
    });
    sections.push(searchForm);
  }
  const recommendationsDocument = ops.recommendations;
  if (recommendationsDocument) {
    const output = h("output", { "data-testid": "recommendations" });
    const ask = h("button", { type: "button" }, "Recommend from the container service");
    ask.addEventListener("click", async () => {
      output.textContent = "…";
      try {
        const data = await query<ops.RecommendationsResult>(recommendationsDocument, { limit: 5 });
        const picks = data.recommendations.map((pick) => pick.reason ?? pick.itemId);
        output.textContent = picks.length ? picks.join(" · ") : "No recommendations yet.";
      } catch (error) {
        output.textContent = errorText(error);
      }
    });
    sections.push(h("p", { class: "service" }, ask, " ", output));
  }

  const subscription = client.graphql<GraphQLSubscription<ops.OnItemChangedResult>>({ query: ops.onItemChanged }).subscribe({
    next: ({ data }) => {
      live.textContent = `Live: “${data.onItemChanged.name}” changed.`;
      void refresh().catch((error) => (status.textContent = errorText(error)));
    },
    error: (error) => (live.textContent = `Live updates stopped: ${errorText(error)}`),
  });

  void refresh().catch((error) => (status.textContent = errorText(error)));
  const view = h(
    "section",
    { class: "card wide" },
    h("header", {}, h("h1", {}, "Your items"), h("span", { "data-testid": "user" }, email), signOutButton),
    ...sections,
    status,
    list,
    live,
  );
  const close = () => {
    subscription.unsubscribe();
    stopWatchingConnection();
  };
  return { view, close };
}
