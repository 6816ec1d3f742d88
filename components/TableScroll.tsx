/**
 * A table that scrolls sideways when the screen is narrower than its columns: the scrolling box is
 * a labelled region that takes keyboard focus, so the columns out of view can be reached with the
 * arrow keys, not only by touch or a mouse (WCAG 2.1.1; axe's `scrollable-region-focusable`).
 */
import type { ComponentChildren } from "preact";

export function TableScroll(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" role="region" aria-label={props.label} tabindex={0}>
      {props.children}
    </div>
  );
}
