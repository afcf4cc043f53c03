// An integrator's scenario with the generated TypeScript client (@hey-api/openapi-ts).
// tests/test_clients.py generates ./client from the served document, compiles this file with
// `tsc --strict` and runs `node build/scenario.js BASE_URL`; each line printed is one step.
import { client } from './client/client.gen';
import { getArticleText, getQuote, listCountries, listQuotes, search } from './client/sdk.gen';
import type { Quote } from './client/types.gen';

async function main(base: string): Promise<void> {
  client.setConfig({ baseUrl: base });

  const first = await listQuotes({ query: { speaker: 'vladimir-putin' } });
  if (first.data === undefined) throw new Error(`filtered: ${first.response.status}`);
  console.log(`filtered: ${JSON.stringify(first.data.data.map((quote) => quote.id))}`);

  const ids: string[] = [];
  let cursor: string | undefined;
  let total = 0;
  do {
    const page = await listCountries({ query: { limit: 4, cursor } });
    if (page.data === undefined) throw new Error(`paged: ${page.response.status}`);
    ids.push(...page.data.data.map((country) => country.id));
    cursor = page.data.meta.next_cursor ?? undefined;
    total = page.data.meta.total;
  } while (cursor !== undefined);
  console.log(`paged: ${ids.length} countries, ${new Set(ids).size} distinct, total ${total}`);

  const found = await getQuote({ path: { id: first.data.data[0].id } });
  if (found.data === undefined) throw new Error(`item: ${found.response.status}`);
  // Without `fields` the service sends the whole record (the document's first alternative).
  const quote = found.data as Quote;
  console.log(`item: ${quote.id} by ${quote.speaker.name}, ${quote.evidence.length} spans`);

  const missing = await getQuote({ path: { id: 'no-such-quote' } });
  if (missing.error === undefined) throw new Error('404: no error');
  console.log(`404: ${missing.error.status} ${missing.error.title}`);

  const invalid = await listQuotes({ query: { limit: 0 } });
  if (invalid.error === undefined) throw new Error('400: no error');
  console.log(`400: ${invalid.error.status} ${JSON.stringify(invalid.error.errors.map((e) => e.parameter))}`);

  const hits = await search({ query: { q: 'jihadi recruitment' } });
  if (hits.data === undefined) throw new Error(`search: ${hits.response.status}`);
  console.log(`search: ${JSON.stringify([...new Set(hits.data.data.map((hit) => hit.type))].sort())}`);

  const evidence = quote.evidence[0];
  const span = await getArticleText({
    path: { id: evidence.article },
    query: { start: evidence.start, end: evidence.end },
    parseAs: 'text',
  });
  console.log(`text: ${span.data === evidence.exact}`);

  const fresh = await listQuotes({ query: { speaker: 'vladimir-putin' } });
  const etag = fresh.response.headers.get('etag') ?? '';
  const again = await listQuotes({ query: { speaker: 'vladimir-putin' }, headers: { 'If-None-Match': etag } });
  console.log(`conditional: ${fresh.response.status} then ${again.response.status}`);
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
