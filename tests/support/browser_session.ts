/**
 * A cookie jar over `app.request`, acting like a same-origin browser for dashboard tests.
 */
import type { TestApp } from "./app.ts";

/** A minimal browser: keeps cookies, sends same-origin headers on posts. */
export class FakeBrowser {
  cookies = new Map<string, string>();
  constructor(private readonly t: TestApp, private readonly origin = "http://127.0.0.1:8787") {}

  /** GET a page. */
  async get(path: string): Promise<Response> {
    return await this.send(path, { method: "GET" });
  }

  /** POST a form. */
  async post(
    path: string,
    fields: Record<string, string | string[]>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
    return await this.send(path, {
      method: "POST",
      body: body.toString(),
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: this.origin,
        "sec-fetch-site": "same-origin",
        ...headers,
      },
    });
  }

  /** Sends a request with the jar's cookies and stores the ones set. */
  async send(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) {
      headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    headers.set("accept", "text/html");
    const response = await this.t.app.request(`${this.origin}${path}`, { ...init, headers });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const [name, value] = pair.split("=");
      if (/max-age=0/i.test(cookie) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** A browser signed in with a password (the sign-in answered its redirect). */
  static async signedIn(t: TestApp, account: { email: string; password: string }) {
    const browser = new FakeBrowser(t);
    const response = await browser.post("/sign-in", account);
    await response.body?.cancel();
    if (response.status !== 303) throw new Error(`sign-in answered ${response.status}`);
    return browser;
  }

  /** The CSRF token of a rendered page. */
  static csrfOf(html: string): string {
    const match = /name="_csrf" value="([0-9a-f]+)"/.exec(html);
    if (!match) throw new Error("no CSRF field on the page");
    return match[1];
  }
}
