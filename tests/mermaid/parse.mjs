// Parse Mermaid files with Mermaid's own parser and print what it understood, as JSON.
// Usage: node parse.mjs FILE...  ->  [{file, ok, error, type, vertices, subgraphs, edges}, ...]
// Exit status 0 even when a diagram fails to parse: the caller asserts on `ok` and `error`.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const { window } = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = window;
globalThis.document = window.document;

const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

const results = [];
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  try {
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = diagram.db;
    results.push({
      file,
      ok: true,
      type: diagram.type,
      vertices: [...db.getVertices().values()].map((v) => ({ id: v.id, text: v.text })),
      subgraphs: db.getSubGraphs().map((s) => ({ id: s.id, title: s.title, nodes: s.nodes })),
      edges: db.getEdges().map((e) => ({ start: e.start, end: e.end, text: e.text })),
    });
  } catch (error) {
    results.push({ file, ok: false, error: String(error.message || error).split("\n").slice(0, 4).join(" | ") });
  }
}
process.stdout.write(JSON.stringify(results));
