// Adobe's published Ahrefs client (@adobe/spacecat-shared-ahrefs-client from npm) pointed at
// Anchorage: getBacklinks and getBrokenBacklinks for one target, as Adobe's SpaceCat runs them
// against https://api.ahrefs.com/v3. Run by crates/api/tests/adobe_client.rs from the
// directory the package was installed into. Prints the row counts as one JSON line.
import AhrefsAPIClient, { fetch } from '@adobe/spacecat-shared-ahrefs-client';

const [base, key, target] = process.argv.slice(2);
const quiet = { info() {}, warn() {}, debug() {}, error: console.error };
const client = new AhrefsAPIClient({ apiBaseUrl: `${base}/v3`, apiKey: key }, fetch, quiet);

const backlinks = await client.getBacklinks(target);
const broken = await client.getBrokenBacklinks(target);
const rows = (answer) => answer.result.backlinks;
for (const row of [...rows(backlinks), ...rows(broken)]) {
  if (typeof row.url_from !== 'string' || typeof row.url_to !== 'string') {
    throw new Error(`a row without url_from/url_to: ${JSON.stringify(row)}`);
  }
}
console.log(JSON.stringify({
  backlinks: rows(backlinks).length,
  broken: rows(broken).length,
  audit_ref: backlinks.fullAuditRef,
}));
// The client's HTTP/2-capable fetch context keeps connections open.
process.exit(0);
