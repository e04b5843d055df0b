/**
 * Every GraphQL document the client sends, in one file, to keep it aligned with
 * the API's schema ({{ cookiecutter.package_name }}/api/schema.graphql): items owned by the signed-in user.
 * Documents for optional parts of the API are null when that part is not deployed.
 */

export interface Item {
  id: string;
  owner: string;
  name: string;
  description?: string | null;
  price: number;
  createdAt?: string | null;
}

/** Variables of createItem: the schema's CreateItemInput. */
export interface CreateItemInput {
  name: string;
  description?: string | null;
  price: number;
}

export interface ItemPage {
  items: Item[];
  nextToken?: string | null;
}

export const listItems = /* GraphQL */ `
  query ListItems($limit: Int, $nextToken: String) {
    listItems(limit: $limit, nextToken: $nextToken) {
      items { id owner name description price createdAt }
      nextToken
    }
  }
`;
export type ListItemsResult = { listItems: ItemPage };

export const createItem = /* GraphQL */ `
  mutation CreateItem($input: CreateItemInput!) {
    createItem(input: $input) { id owner name description price createdAt }
  }
`;
export type CreateItemResult = { createItem: Item };

export const deleteItem = /* GraphQL */ `
  mutation DeleteItem($id: ID!) {
    deleteItem(id: $id) { id owner }
  }
`;
export type DeleteItemResult = { deleteItem: Pick<Item, "id" | "owner"> | null };

export const onItemChanged = /* GraphQL */ `
  subscription OnItemChanged {
    onItemChanged { id owner name description price createdAt }
  }
`;
export type OnItemChangedResult = { onItemChanged: Item };

// Steps 7-8: full-text search through OpenSearch.
export const searchItems: string | null = {% if cookiecutter.__search == "yes" -%}
/* GraphQL */ `
  query SearchItems($text: String!, $limit: Int) {
    searchItems(text: $text, limit: $limit) {
      items { id owner name description price createdAt }
      total
    }
  }
`;
{%- else -%}
null;
{%- endif %}
export type SearchItemsResult = { searchItems: { items: Item[]; total: number } };

// Steps 5, 9-10: a query served by the HTTP resolver -> API Gateway -> Fargate.
export const recommendations: string | null = {% if cookiecutter.__service == "yes" -%}
/* GraphQL */ `
  query Recommendations($limit: Int) {
    recommendations(limit: $limit) { itemId score reason }
  }
`;
{%- else -%}
null;
{%- endif %}
export interface Recommendation {
  itemId: string;
  score: number;
  reason?: string | null;
}
export type RecommendationsResult = { recommendations: Recommendation[] };
