/** A tiny element builder: text goes in as text nodes, never as HTML. */

type Attributes = Record<string, string | boolean>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, "");
    else if (value !== false) element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child) element.append(child);
  }
  return element;
}

/** The value of a named form field. */
export function field(form: HTMLFormElement, name: string): string {
  const value = new FormData(form).get(name);
  return typeof value === "string" ? value.trim() : "";
}

/** A message line whose text can be replaced; role=alert makes errors reach screen readers. */
export function messageLine(testId: string): HTMLParagraphElement {
  return h("p", { class: "message", role: "alert", "data-testid": testId });
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error && "errors" in error) {
    const errors = (error as { errors?: { message?: string }[] }).errors ?? [];
    return errors.map((e) => e.message ?? "error").join("; ") || "request failed";
  }
  return String(error);
}

/** Run `action` with the form's submit button disabled, showing its error in `message`. */
export async function busy(form: HTMLFormElement, message: HTMLElement, action: () => Promise<void>) {
  const buttons = form.querySelectorAll("button");
  buttons.forEach((b) => (b.disabled = true));
  message.textContent = "";
  try {
    await action();
  } catch (error) {
    message.textContent = errorText(error);
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}
