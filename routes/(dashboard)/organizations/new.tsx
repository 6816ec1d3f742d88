/** `/organizations/new`: a signed-in user creates an organization and becomes its owner. */
import { define, page } from "../../../lib/framework/define.ts";
import {
  createOrganization,
  SLUG_PATTERN,
  SlugTakenError,
} from "../../../lib/accounts/organizations.ts";
import { CsrfField, Field, Notice } from "../../../components/Form.tsx";
import { readForm } from "../../../lib/http/forms.ts";

interface Data {
  error?: string;
  name?: string;
  slug?: string;
}

export const handler = define.handlers<Data>({
  GET(c) {
    if (!c.var.auth) return c.redirect("/sign-in?next=/organizations/new", 303);
    return page({}, { title: "New organization" });
  },
  async POST(c) {
    const auth = c.var.auth;
    if (!auth) return c.redirect("/sign-in", 303);
    const deps = c.var.deps;
    const form = await readForm(c);
    const name = String(form.name ?? "").trim();
    const slug = String(form.slug ?? "").trim();
    if (!name || name.length > 120) {
      return page({ name, slug, error: "The name needs 1 to 120 characters." }, { status: 400 });
    }
    if (!SLUG_PATTERN.test(slug)) {
      return page(
        { name, slug, error: "The slug uses 2–48 lowercase letters, digits and dashes." },
        { status: 400 },
      );
    }
    try {
      await createOrganization(
        deps.kv,
        { name, slug, ownerId: auth.user.id },
        deps.clock,
        deps.random,
      );
    } catch (error) {
      if (error instanceof SlugTakenError) {
        return page({ name, slug, error: "This slug is taken; choose another." }, { status: 409 });
      }
      throw error;
    }
    return c.redirect(`/organizations/${slug}`, 303);
  },
});

export default define.page<Data>(function NewOrganization({ data, state }) {
  return (
    <section class="card narrow">
      <h1>New organization</h1>
      {data.error && <Notice kind="error">{data.error}</Notice>}
      <form method="post">
        <CsrfField state={state} />
        <Field label="Name" name="name" value={data.name} required />
        <Field
          label="Slug"
          name="slug"
          value={data.slug}
          required
          pattern="[a-z0-9\-]{2,48}"
          hint="2–48 lowercase letters, digits and dashes."
        />
        <button type="submit">Create organization</button>
      </form>
    </section>
  );
});
