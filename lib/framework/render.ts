/**
 * Server rendering of pages: the page inside its layouts, then the document shell. Scripts are
 * external only (the CSP forbids inline scripts); the islands bundle is linked when the render
 * used an island.
 */
import { type ComponentChildren, type ComponentType, Fragment, h } from "preact";
import { renderToString } from "preact-render-to-string";
import type { AppContext, LayoutProps, PageProps, PageResult } from "./define.ts";
import { trackIslands } from "./islands.ts";

/** The bundle path the islands are served from. */
/** The unhashed bundle, used when no build path was set (tests that skip bundling). */
export const ISLANDS_BUNDLE_PATH = "/static/build/islands.js";

/** Renders a page component (wrapped by its layouts) to an HTML response. */
export function renderPage<D>(
  c: AppContext,
  component: ComponentType<PageProps<D>>,
  layouts: ComponentType<LayoutProps>[],
  result: PageResult<D>,
): Response {
  const props: PageProps<D> = {
    data: result.data,
    url: new URL(c.req.url),
    params: c.req.param() as Record<string, string>,
    state: c.var,
  };
  const { result: body, islands } = trackIslands(() => {
    let tree: ComponentChildren = h(component, props);
    for (const layout of [...layouts].reverse()) {
      tree = h(layout, { ...props, title: result.title, children: tree });
    }
    return renderToString(h(Fragment, null, tree));
  });
  const bundle = c.var.deps.services.islandsBundle ?? ISLANDS_BUNDLE_PATH;
  const script = islands.size ? `<script type="module" src="${bundle}"></script>` : "";
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(result.title ? `${result.title} · Kayle ID` : "Kayle ID")}</title>` +
    `<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">` +
    `<link rel="stylesheet" href="/static/styles.css">${script}</head>` +
    `<body>${body}</body></html>`;
  const headers = new Headers({ "content-type": "text/html; charset=utf-8" });
  for (const [k, v] of Object.entries(result.headers ?? {})) headers.set(k, v);
  return new Response(html, { status: result.status ?? 200, headers });
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!,
  );
}
