/**
 * The app's configuration: which servers it works for, its name and its store links. The
 * screens read it from app.json's `expo.extra.kayle` (see mobile/README.md); the logic takes it
 * as a value so tests can give their own.
 */

/** The app's configuration. */
export interface AppConfig {
  /** The app's name as shown to the user. */
  appName: string;
  /** Sent in `hello.app_version` (1–64 characters). */
  appVersion: string;
  /**
   * Origins of the Kayle ID servers the app works for, e.g. `https://id.example.com`. An `http:`
   * origin (plain WebSocket) is for development and tests only.
   */
  allowedServers: string[];
  /** Store links of the app (shown by the verify pages when the server is configured with them). */
  storeUrls?: { ios?: string; android?: string };
}

/** Normalises one configured server to its origin; null when it is not an http(s) URL. */
export function serverOrigin(entry: string): string | null {
  try {
    const url = new URL(entry.trim());
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** Builds the configuration from app.json's `extra.kayle` object (unknown shape, validated). */
export function configFromExtra(extra: unknown, appVersion: string): AppConfig {
  const kayle =
    (extra && typeof extra === "object" ? (extra as Record<string, unknown>).kayle : null) as
      | Record<string, unknown>
      | null
      | undefined;
  const servers = Array.isArray(kayle?.allowedServers) ? kayle!.allowedServers : [];
  const store = (kayle?.storeUrls ?? {}) as Record<string, unknown>;
  return {
    appName: typeof kayle?.appName === "string" && kayle.appName ? kayle.appName : "Kayle ID",
    appVersion: appVersion.slice(0, 64) || "kayle-mobile",
    allowedServers: servers.filter((s): s is string => typeof s === "string")
      .map(serverOrigin).filter((s): s is string => s !== null),
    storeUrls: {
      ios: typeof store.ios === "string" ? store.ios : undefined,
      android: typeof store.android === "string" ? store.android : undefined,
    },
  };
}
