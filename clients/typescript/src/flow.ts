// The TypeScript consumer of the published OpenAPI document: types from openapi-typescript
// (src/erp.d.ts, generated from gen/openapi/erp.openapi.json, never committed) and an openapi-fetch
// client. tests/e2e/test_openapi_consumers.py type-checks it with `tsc --noEmit`, then runs it
// against each edge:  node build/flow.js <edge base URL> <username> <password>
import assert from "node:assert/strict";
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./erp.js";

type Status = components["schemas"]["Status"];

const [baseUrl, username, password] = process.argv.slice(2);
assert.ok(baseUrl && username && password, "usage: node build/flow.js <base URL> <username> <password>");
const client = createClient<paths>({ baseUrl });
const tag = Math.random().toString(36).slice(2, 10);

function expectError(error: Status | undefined, code: number, status: string): Status {
  assert.ok(error, `expected a ${code} error`);
  assert.equal(error.code, code);
  assert.equal(error.status, status);
  assert.equal(typeof error.message, "string");
  assert.ok(Array.isArray(error.details));
  return error;
}

// Log in, then send the access token with every request.
const login = await client.POST("/api/auth/login/", { body: { username, password } });
assert.ok(login.data, JSON.stringify(login.error));
const token: string = login.data.access_token ?? "";
const auth: Middleware = {
  onRequest({ request }) {
    request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
};
client.use(auth);

// The five-level hierarchy: continent > country > state > district > city.
const continent = await client.POST("/api/master/continents/", { body: { name: `ts continent ${tag}` } });
assert.ok(continent.data?.id, JSON.stringify(continent.error));
const country = await client.POST("/api/master/countries/", {
  body: { name: `ts country ${tag}`, continent_id: continent.data.id },
});
assert.ok(country.data?.id, JSON.stringify(country.error));
const state = await client.POST("/api/master/states/", {
  body: { name: `ts state ${tag}`, country_id: country.data.id },
});
assert.ok(state.data?.id, JSON.stringify(state.error));
const district = await client.POST("/api/master/districts/", {
  body: { name: `ts district ${tag}`, state_id: state.data.id },
});
assert.ok(district.data?.id, JSON.stringify(district.error));
const cityIds: string[] = [];
for (const n of [1, 2, 3]) {
  const city = await client.POST("/api/master/cities/", {
    body: { name: `ts city ${tag} ${n}`, district_id: district.data.id },
  });
  assert.ok(city.data?.id, JSON.stringify(city.error));
  cityIds.push(city.data.id);
}

// Paging to the end: two rows a page, following next_page_token until it is empty.
const districtId = district.data.id;
const listPage = (pageToken?: string) =>
  client.GET("/api/master/cities/", { params: { query: { district_id: districtId, page_size: 2, page_token: pageToken } } });
const seen: string[] = [];
let pages = 0;
for (let pageToken: string | undefined = undefined; pages === 0 || pageToken; pages += 1) {
  const page = await listPage(pageToken);
  assert.ok(page.data, JSON.stringify(page.error));
  assert.equal(page.data.total_size, 3);
  seen.push(...(page.data.cities ?? []).map((city) => city.id ?? ""));
  pageToken = page.data.next_page_token || undefined;
}
assert.deepEqual([...seen].sort(), [...cityIds].sort());
assert.equal(pages, 2);

// Get, then PATCH with the row's etag and an update_mask.
const cityId = cityIds[0]!;
const got = await client.GET("/api/master/cities/{id}/", { params: { path: { id: cityId } } });
assert.ok(got.data?.etag, JSON.stringify(got.error));
const oldEtag = got.data.etag;
const patched = await client.PATCH("/api/master/cities/{id}/", {
  params: { path: { id: cityId }, query: { update_mask: "name" } },
  body: { name: `ts city ${tag} renamed`, etag: oldEtag },
});
assert.ok(patched.data, JSON.stringify(patched.error));
assert.equal(patched.data.name, `ts city ${tag} renamed`);
assert.equal(patched.data.district_id, district.data.id); // not in the mask: kept
assert.notEqual(patched.data.etag, oldEtag);

// The stale etag is refused: 409 ABORTED, the edges' error object.
const stale = await client.PATCH("/api/master/cities/{id}/", {
  params: { path: { id: cityId } },
  body: { name: `ts city ${tag} lost update`, etag: oldEtag },
});
assert.equal(stale.response.status, 409);
expectError(stale.error, 409, "ABORTED");

// Error objects: a missing required field (400 with BadRequest details), an unknown id (404).
const invalid = await client.POST("/api/master/cities/", { body: { name: "", district_id: district.data.id } });
const violation = expectError(invalid.error, 400, "INVALID_ARGUMENT");
assert.ok(violation.details?.some((d) => String(d["@type"]).endsWith("google.rpc.BadRequest")));
const missing = await client.GET("/api/master/cities/{id}/", { params: { path: { id: "no-such-city" } } });
expectError(missing.error, 404, "NOT_FOUND");

// Delete (soft): the row answers with is_deleted and leaves the list.
const deleted = await client.DELETE("/api/master/cities/{id}/", {
  params: { path: { id: cityId }, query: { etag: patched.data.etag } },
});
assert.ok(deleted.data?.is_deleted, JSON.stringify(deleted.error));
const after = await client.GET("/api/master/cities/", { params: { query: { district_id: district.data.id } } });
assert.equal(after.data?.total_size, 2);

console.log(JSON.stringify({ ok: true, pages, cities: seen.length, deleted: cityId }));
