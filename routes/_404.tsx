/** The HTML page for unknown paths (API paths answer with the JSON envelope instead). */
import { define } from "../lib/framework/define.ts";

// Rendered without the groups' layouts (lib/app.ts), so it brings its own main landmark.
export default define.page(function NotFound() {
  return (
    <main id="main">
      <section class="card">
        <h1>Page not found</h1>
        <p>
          There is nothing at this address. <a href="/">Go to the start page</a>.
        </p>
      </section>
    </main>
  );
});
