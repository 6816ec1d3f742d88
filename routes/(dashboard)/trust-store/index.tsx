/**
 * `/trust-store`: what live verifications trust (docs/trust-store.md), for the instance owner.
 * Anchors by country with validity and SHA-256 fingerprint, CRLs with their next update, an upload
 * that imports a master list (with its signing root), LDIF, PEM or DER under the same admission
 * rules as `deno task trust import`, and removal. Test mode never reads this store.
 */
import { type AppContext, define, page } from "../../../lib/framework/define.ts";
import {
  type ImportSummary,
  importTrustFile,
  listTrustItems,
  removeTrustItem,
  type StoredTrustItem,
  type TrustKind,
} from "../../../verify/trust/mod.ts";
import { ActionButton, CsrfField, Notice } from "../../../components/Form.tsx";
import { readForm } from "../../../lib/http/forms.ts";
import { TableScroll } from "../../../components/TableScroll.tsx";

/** A CSCA master list is about 1 MB (LDIF files of every country: use the CLI). */
export const config = define.config({ maxBodyBytes: 16 * 1024 * 1024 });

interface Row {
  fingerprintHex: string;
  item: StoredTrustItem;
}

interface Data {
  cscas: Row[];
  crls: Row[];
  now: string;
  result?: { file: string; summary: ImportSummary };
  error?: string;
  message?: string;
}

const TITLE = "Trust store";

async function load(c: AppContext, extra: Partial<Data> = {}): Promise<Data> {
  const kv = c.var.deps.kv;
  const order = (a: Row, b: Row) =>
    a.item.country.localeCompare(b.item.country) || a.item.subject.localeCompare(b.item.subject);
  return {
    cscas: (await listTrustItems(kv, "csca")).sort(order),
    crls: (await listTrustItems(kv, "crl")).sort(order),
    now: c.var.deps.clock.now().toISOString(),
    ...extra,
  };
}

async function importUpload(c: AppContext, form: Record<string, unknown>): Promise<Partial<Data>> {
  const file = form.file;
  if (!(file instanceof File) || file.size === 0) {
    return { error: "Choose a master list, LDIF, PEM or DER file to import." };
  }
  const root = form.root instanceof File && form.root.size > 0
    ? [new Uint8Array(await form.root.arrayBuffer())]
    : [];
  const summary = await importTrustFile(c.var.deps.kv, new Uint8Array(await file.arrayBuffer()), {
    source: `dashboard:${file.name.slice(0, 120)}`,
    roots: root,
    anchor: form.anchor === "on",
    allowExpired: form.allow_expired === "on",
    now: c.var.deps.clock.now(),
  });
  c.var.deps.logger.info("trust_store.imported", {
    user_id: c.var.auth!.user.id,
    format: summary.format,
    added: summary.added,
    skipped: summary.skipped,
  });
  return { result: { file: file.name.slice(0, 120), summary } };
}

export const handler = define.handlers<Data>({
  async GET(c) {
    return page(await load(c), { title: TITLE });
  },
  async POST(c) {
    const form = await readForm(c);
    const action = String(form.action ?? "");
    if (action === "import") {
      const outcome = await importUpload(c, form);
      return page(await load(c, outcome), { status: outcome.error ? 400 : 200, title: TITLE });
    }
    if (action === "remove") {
      const kind = String(form.kind ?? "") as TrustKind;
      const fp = String(form.fingerprint ?? "");
      if (!["csca", "crl"].includes(kind) || !/^[0-9a-f]{64}$/.test(fp)) {
        return c.text("Unknown item.", 400);
      }
      if (!(await removeTrustItem(c.var.deps.kv, kind, fp))) return c.notFound();
      c.var.deps.logger.info("trust_store.removed", { user_id: c.var.auth!.user.id, kind, fp });
      const what = kind === "crl" ? "CRL" : "Anchor";
      return page(await load(c, { message: `${what} ${fp.slice(0, 16)}… removed.` }), {
        title: TITLE,
      });
    }
    return c.text("Unknown action.", 400);
  },
});

function day(iso: string): string {
  return iso ? iso.slice(0, 10) : "—";
}

function ImportResult({ file, summary }: { file: string; summary: ImportSummary }) {
  const ok = summary.added + summary.alreadyPresent + summary.expired > 0 || summary.skipped === 0;
  return (
    <section class="card" aria-labelledby="import-result">
      <h2 id="import-result">Import of {file}</h2>
      <Notice kind={ok ? "success" : "error"}>
        {summary.format}: added {summary.added}, already present {summary.alreadyPresent}, expired
        {" "}
        {summary.expired}, skipped {summary.skipped}.
      </Notice>
      {summary.messages.length > 0 && (
        <ul>
          {summary.messages.map((m) => <li key={m}>{m}</li>)}
        </ul>
      )}
      {summary.anchors.length > 0 && (
        <p>
          {summary.anchors.length} new anchor{summary.anchors.length === 1 ? "" : "s"}{" "}
          (listed below with their fingerprints).
        </p>
      )}
    </section>
  );
}

function byCountry(rows: Row[]): Array<[string, Row[]]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    groups.set(row.item.country, [...(groups.get(row.item.country) ?? []), row]);
  }
  return [...groups];
}

export default define.page<Data>(function TrustStore({ data, state }) {
  const expired = (row: Row) => row.item.notAfter !== "" && row.item.notAfter < data.now;
  return (
    <>
      <section class="card">
        <h1>Trust store</h1>
        <p>
          Live verifications accept a passport only when its document signer chains to one of these
          country signing certificates (CSCAs). Test mode trusts only the sandbox CSCA and never
          reads this store. Changes reach running verifications within 30 seconds.
        </p>
        {data.error && <Notice kind="error">{data.error}</Notice>}
        {data.message && <Notice kind="success">{data.message}</Notice>}
        <form method="post" enctype="multipart/form-data">
          <CsrfField state={state} />
          <input type="hidden" name="action" value="import" />
          <p>
            <label for="trust-file">Master list, LDIF, PEM or DER file</label>
            <input id="trust-file" type="file" name="file" required />
          </p>
          <p>
            <label for="trust-root">
              Master list signing root (its fingerprint must be pinned)
            </label>
            <input id="trust-root" type="file" name="root" />
          </p>
          <p>
            <label class="check">
              <input type="checkbox" name="anchor" />{" "}
              Trust the CA certificates of this file as anchors (I checked their fingerprints out of
              band)
            </label>
          </p>
          <p>
            <label class="check">
              <input type="checkbox" name="allow_expired" />{" "}
              Import a master list whose signer has expired
            </label>
          </p>
          <button type="submit">Import</button>
        </form>
      </section>
      {data.result && <ImportResult {...data.result} />}
      <section class="card" aria-labelledby="anchors">
        <h2 id="anchors">Anchors ({data.cscas.length})</h2>
        {data.cscas.length === 0 && <p>No CSCA is trusted: every live verification fails.</p>}
        {byCountry(data.cscas).map(([country, rows]) => (
          <div key={country}>
            <h3>{country} ({rows.length})</h3>
            <TableScroll label={`Anchors of ${country}`}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Subject</th>
                    <th scope="col">Valid</th>
                    <th scope="col">SHA-256 fingerprint</th>
                    <th scope="col">Action</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row) => (
                    <tr key={row.fingerprintHex}>
                      <td>{row.item.subject}</td>
                      <td>
                        {day(row.item.notBefore)} to {day(row.item.notAfter)}
                        {expired(row) && " (expired)"}
                      </td>
                      <td>
                        <code class="fingerprint">{row.fingerprintHex}</code>
                      </td>
                      <td>
                        <ActionButton
                          state={state}
                          action="remove"
                          label="Remove"
                          danger
                          fields={{ kind: "csca", fingerprint: row.fingerprintHex }}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          </div>
        ))}
      </section>
      <section class="card" aria-labelledby="crls">
        <h2 id="crls">Certificate revocation lists ({data.crls.length})</h2>
        {data.crls.length === 0 && <p>No CRL: revocation status is reported as unknown.</p>}
        {data.crls.length > 0 && (
          <TableScroll label="Certificate revocation lists">
            <table>
              <thead>
                <tr>
                  <th scope="col">Country</th>
                  <th scope="col">Issuer</th>
                  <th scope="col">Next update</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {data.crls.map((row) => (
                  <tr key={row.fingerprintHex}>
                    <td>{row.item.country}</td>
                    <td>{row.item.subject}</td>
                    <td>{day(row.item.notAfter)}{expired(row) && " (stale)"}</td>
                    <td>
                      <ActionButton
                        state={state}
                        action="remove"
                        label="Remove"
                        danger
                        fields={{ kind: "crl", fingerprint: row.fingerprintHex }}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>
    </>
  );
});
