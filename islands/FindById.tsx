/**
 * Find by id (docs/dashboard.md "Find by id"): a search box on every organization page (a plain
 * GET form to `/organizations/:slug/find`, so it works without JavaScript) and, once hydrated, a
 * paste anywhere on the page outside a text field that contains a `vs_`, `va_`, `evt_` or `whd_`
 * id goes straight to it.
 */
import { useEffect } from "preact/hooks";

/** Props: the organization's slug. */
export interface FindByIdProps {
  slug: string;
}

/** The first dashboard id in a text, or null. */
export function dashboardIdIn(text: string): string | null {
  return /\b(?:vs|va|evt|whd)_[a-z0-9]{64}\b/.exec(text)?.[0] ?? null;
}

export default function FindById({ slug }: FindByIdProps) {
  const action = `/organizations/${slug}/find`;
  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target?.closest("input, textarea, select, [contenteditable]")) return;
      const id = dashboardIdIn(event.clipboardData?.getData("text") ?? "");
      if (!id) return;
      event.preventDefault();
      location.assign(`${action}?id=${encodeURIComponent(id)}`);
    };
    document.addEventListener("paste", onPaste);
    return () => document.removeEventListener("paste", onPaste);
  }, [action]);
  return (
    <form method="get" action={action} class="find" role="search" data-testid="find-by-id">
      <label for="find-id" class="sr-only">Find by id</label>
      <input
        id="find-id"
        name="id"
        placeholder="Find vs_ / va_ / evt_ / whd_ id"
        autocomplete="off"
        spellcheck={false}
      />
      <button type="submit" class="secondary">Find</button>
    </form>
  );
}
