/**
 * Browser side of islands: finds the server-rendered markers and hydrates each with its props.
 */
import { type ComponentType, h, hydrate } from "preact";

/** Hydrates every `[data-island]` marker on the page with the named component. */
export function hydrateIslands(islands: Record<string, ComponentType<never>>): void {
  for (const element of document.querySelectorAll<HTMLElement>("[data-island]")) {
    const component = islands[element.dataset.island ?? ""] as
      | ComponentType<
        Record<string, unknown>
      >
      | undefined;
    if (!component) continue;
    const props = JSON.parse(element.dataset.props ?? "{}") as Record<string, unknown>;
    hydrate(h(component, props), element);
    element.dataset.hydrated = "true";
  }
}
