// The npm e621 client (DonovanDMC's, pinned in package.json) against a
// usersd serving the e621 face at "/". Run by cmd/usersd/e621_client_test.go,
// which starts the server, creates the users and passes:
//
//   USERSD_E621_CLIENT_DIR  a directory holding node_modules/e621
//   E621_HOST, E621_PORT    where usersd listens (plain HTTP)
//   E621_USER, E621_KEY     an account and its API key
//   E621_IDS                {"name": id, …} of the fixture users
//
// Every call must be answered as e621 would answer it; any failed
// assertion exits non-zero.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.USERSD_E621_CLIENT_DIR, "package.json"));
const E621 = require("e621");
// The package replaces module.exports with the E621 class, so its other
// named exports are reached through their modules.
const { APIError } = require("e621/build/src/util/RequestHandler");
const User = require("e621/build/src/structures/User").default;
const AuthenticatedUser = require("e621/build/src/structures/AuthenticatedUser").default;

const instance = {
	host: process.env.E621_HOST,
	port: Number(process.env.E621_PORT),
	ssl: false,
	imageReconstructionType: "dev",
};
const anon = new E621.Custom({ userAgent: "usersd-scenario/1.0" }, instance);
const authed = new E621.Custom({ authUser: process.env.E621_USER, authKey: process.env.E621_KEY, userAgent: "usersd-scenario/1.0" }, instance);
const ids = JSON.parse(process.env.E621_IDS);

const names = (users) => users.map((u) => u.name);
const isoWithOffset = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}([-+]\d\d:\d\d|Z)$/;
let steps = 0;
async function step(label, fn) {
	try {
		await fn();
		steps++;
	} catch (err) {
		console.error(`FAIL ${label}:`, err);
		process.exit(1);
	}
}

await step("get by id", async () => {
	const u = await anon.users.get(ids.scen_alice);
	assert.equal(u.id, ids.scen_alice);
	assert.equal(u.name, "scen_alice");
	assert.equal(u.level, 20);
	assert.equal(u.level_string, "Member");
	assert.equal(u.post_upload_count, 5);
	assert.equal(u.is_banned, false);
	assert.equal(u.avatar_id, null);
	assert.equal(u.profile_about, "");
	assert.equal(u.favorite_count, 7); // public on show
	assert.match(u.created_at, isoWithOffset);
	assert.equal(u.per_page, undefined); // settings are the owner's only
	assert.ok(u instanceof User);
});

await step("get by name", async () => {
	const byName = await anon.users.get("scen_alice");
	assert.equal(byName.id, ids.scen_alice);
	const other = await anon.users.get("Scen_Dave");
	assert.equal(other.id, ids.Scen_Dave);
	const mod = await anon.users.get(ids.scen_carol);
	assert.equal(mod.level, 40);
	assert.equal(mod.level_string, "Moderator");
	assert.equal(await anon.users.get("nobody_here"), null); // 404 → null
	const exact = await anon.users.getByName("SCEN_ALICE"); // search[name_matches] without "*"
	assert.equal(exact.id, ids.scen_alice);
});

await step("search: name wildcards", async () => {
	assert.deepEqual(names(await anon.users.search({ name: "scen_*", order: "name" })),
		["scen_alice", "scen_bob", "scen_carol", "Scen_Dave", "scen_me"]);
	assert.deepEqual(names(await anon.users.search({ name: "SCEN_*A*" })), ["Scen_Dave", "scen_carol", "scen_alice"]);
	assert.deepEqual(names(await anon.users.search({ name: "scen" })), []); // no "*": an exact match
	const listed = await anon.users.search({ name: "scen_alice" });
	assert.equal(listed.length, 1);
	assert.equal(listed[0].favorite_count, undefined); // self-only on index
});

await step("search: levels", async () => {
	assert.deepEqual(names(await anon.users.search({ name: "scen_*", min_level: 30 })), ["scen_carol", "scen_bob"]);
	assert.deepEqual(names(await anon.users.search({ name: "scen_*", max_level: 20 })), ["scen_me", "Scen_Dave", "scen_alice"]);
	assert.deepEqual(names(await anon.users.search({ name: "scen_*", level: 30 })), ["scen_bob"]);
});

await step("search: order", async () => {
	assert.deepEqual(names(await anon.users.search({ name: "scen_*", order: "post_upload_count" })),
		["scen_bob", "scen_alice", "scen_carol", "scen_me", "Scen_Dave"]);
	assert.deepEqual(names(await anon.users.search({ name: "scen_*", order: "post_update_count", limit: 1 })), ["scen_carol"]);
});

await step("search: numbered and cursor pages", async () => {
	const first = await anon.users.search({ name: "scen_*", limit: 2 });
	assert.deepEqual(names(first), ["scen_me", "Scen_Dave"]);
	assert.deepEqual(names(await anon.users.search({ name: "scen_*", limit: 2, page: 2 })), ["scen_carol", "scen_bob"]);
	const next = await anon.users.search({ name: "scen_*", limit: 2, page: `b${first[1].id}` });
	assert.deepEqual(names(next), ["scen_carol", "scen_bob"]);
	const last = await anon.users.search({ name: "scen_*", limit: 2, page: `b${next[1].id}` });
	assert.deepEqual(names(last), ["scen_alice"]);
	assert.deepEqual(names(await anon.users.search({ name: "scen_*", limit: 2, page: `b${last[0].id}` })), []);
	// "a" pages come back newest first, like every e621 listing.
	assert.deepEqual(names(await anon.users.search({ name: "scen_*", limit: 2, page: `a${ids.scen_alice}` })), ["scen_carol", "scen_bob"]);
	await assert.rejects(anon.users.search({ limit: 2, page: "B1" }), (err) => {
		assert.ok(err instanceof APIError);
		assert.equal(err.statusCode, 410);
		assert.deepEqual(err.resBody, { success: false, message: "Invalid page number.", code: null });
		return true;
	});
});

let self;
await step("getSelf", async () => {
	self = await authed.users.getSelf(); // /users/upload_limit.json, then /users/{id}.json
	assert.ok(self instanceof AuthenticatedUser);
	assert.equal(self.id, ids.scen_me);
	assert.equal(self.name, "scen_me");
	assert.equal(self.per_page, 75); // e621 sign-up values
	assert.equal(self.comment_threshold, -10);
	assert.equal(self.blacklisted_tags, "");
	assert.equal(self.enable_safe_mode, false);
	assert.equal(self.time_zone, "Eastern Time (US & Canada)");
	assert.equal(self.email, null);
	assert.equal(self.api_burst_limit, 60);
	assert.equal(typeof self.wiki_page_version_count, "number"); // the show view
	assert.match(self.created_at, /-0[45]:00$/); // US Eastern
});

await step("editSelf", async () => {
	const res = await authed.users.editSelf({
		posts_per_page: 100,
		safe_mode: true,
		blacklisted_tags: ["gore", "scat"],
		timezone: "Tokyo",
		about: "hello from npm",
		artinfo: "commissions: closed",
		comment_threshold: -5,
		enable_privacy_mode: true,
		dmail_filter: "spam",
		frequent_tags: "fox wolf fox",
	});
	assert.equal(res, null); // 204 No Content
	const after = await authed.users.getSelf();
	assert.equal(after.per_page, 100);
	assert.equal(after.enable_safe_mode, true);
	assert.equal(after.blacklisted_tags, "gore\nscat");
	assert.equal(after.time_zone, "Tokyo");
	assert.equal(after.profile_about, "hello from npm");
	assert.equal(after.profile_artinfo, "commissions: closed");
	assert.equal(after.comment_threshold, -5);
	assert.equal(after.enable_privacy_mode, true);
	assert.equal(after.favorite_tags, "fox wolf");
	assert.match(after.created_at, /\+09:00$/); // timestamps follow the viewer's zone
	const seen = await anon.users.get(ids.scen_me);
	assert.equal(seen.profile_about, "hello from npm");
	assert.equal(seen.per_page, undefined);
});

await step("editSelf validation", async () => {
	await assert.rejects(authed.users.editSelf({ posts_per_page: 0 }), (err) => {
		assert.ok(err instanceof APIError);
		assert.equal(err.statusCode, 422);
		assert.deepEqual(err.resBody, { errors: { per_page: ["is not included in the list"] } });
		return true;
	});
	await assert.rejects(authed.users.editSelf({ colored_usernames: true }), (err) => {
		assert.equal(err.statusCode, 403); // user[style_usernames] is no longer permitted on e621
		assert.deepEqual(err.resBody, { success: false, reason: "found unpermitted parameter: :style_usernames" });
		return true;
	});
});

await step("bad credentials", async () => {
	const wrong = new E621.Custom({ authUser: process.env.E621_USER, authKey: "usd_wrong", userAgent: "usersd-scenario/1.0" }, instance);
	await assert.rejects(wrong.users.getSelf(), (err) => {
		assert.equal(err.statusCode, 401);
		assert.deepEqual(err.resBody, { success: false, message: "SessionLoader::AuthenticationFailure", code: null });
		return true;
	});
});

console.log(`ok: ${steps} steps`);
