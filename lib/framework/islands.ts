/**
 * Islands: components from `islands/` are rendered on the server inside a marker element that
 * carries their name and JSON props; the browser bundle finds the markers and hydrates them.
 * The marker is added by a preact `options.vnode` hook installed only on the server.
 */
import { type ComponentType, h, options, type VNode } from "preact";

const registry = new Map<ComponentType<Record<string, unknown>>, string>();
let installed = false;
let rendered: Set<string> | null = null;

/** Registers the islands of the manifest (server side). */
export function registerIslands(islands: Record<string, ComponentType<never>>): void {
  for (const [name, component] of Object.entries(islands)) {
    registry.set(component as ComponentType<Record<string, unknown>>, name);
  }
  if (installed) return;
  installed = true;
  const previous = options.vnode;
  options.vnode = (vnode: VNode) => {
    const name = registry.get(vnode.type as ComponentType<Record<string, unknown>>);
    if (name && !(vnode.props as Record<string, unknown>).__islandInner) {
      const props = vnode.props as Record<string, unknown>;
      rendered?.add(name);
      (vnode as { props: unknown }).props = { name, component: vnode.type, props };
      vnode.type = IslandMarker as unknown as typeof vnode.type;
    }
    previous?.(vnode);
  };
}

function IslandMarker(
  { name, component, props }: {
    name: string;
    component: ComponentType<Record<string, unknown>>;
    props: Record<string, unknown>;
  },
) {
  const { children: _children, ...serialisable } = props;
  return h(
    "div",
    { class: "island", "data-island": name, "data-props": JSON.stringify(serialisable) },
    h(component, { ...props, __islandInner: true }),
  );
}

/** Runs a render and returns which islands it used. */
export function trackIslands<T>(render: () => T): { result: T; islands: Set<string> } {
  const previous = rendered;
  rendered = new Set();
  try {
    const result = render();
    return { result, islands: rendered };
  } finally {
    rendered = previous;
  }
}
