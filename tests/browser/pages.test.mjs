// The pages behind the links the service emails, and the public booking
// page, as a person uses them: each test opens the link from the .eml file
// the service wrote, works the page in headless Chromium (with the
// keyboard where it matters), runs axe-core on every page it sees (WCAG
// 2.2 A and AA, and axe's best practices) and ends by checking the state
// through the API. Screenshots of the booking page at 390 px and 1280 px
// wide go to SCREENSHOT_DIR.
//
//   BASE_URL=http://127.0.0.1:18484 OUTBOX_DIR=…/outbox SCREENSHOT_DIR=… npm test
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const BASE = process.env.BASE_URL ?? "http://127.0.0.1:18484";
const OUTBOX = process.env.OUTBOX_DIR ?? "./data/outbox";
const SHOTS = process.env.SCREENSHOT_DIR ?? "./screenshots";
const PASSWORD = "quiet harbour lantern 42";
const run = Date.now().toString(36);
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
});
after(async () => {
  await browser?.close();
});

async function api(method, path, token, body) {
  const response = await fetch(BASE + path, {
    method,
    headers: {
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function login(email, password = PASSWORD) {
  const r = await api("POST", "/api/v1/auth/login", null, { email, password });
  assert.equal(r.status, 200, `login of ${email}: ${JSON.stringify(r.body)}`);
  return r.body.access_token;
}

/** Every link to `path` in the emails to `to`, newest email first. */
function linksTo(to, path) {
  let entries = [];
  try {
    entries = readdirSync(OUTBOX, { withFileTypes: true });
  } catch {
    return []; // nothing written yet
  }
  const files = entries
    .filter((f) => f.isFile() && f.name.endsWith(".eml"))
    .map((f) => join(OUTBOX, f.name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  const found = [];
  const escaped = path.replace(/[.?]/g, "\\$&");
  for (const file of files) {
    // The text part is quoted-printable: join soft line breaks, decode =XX.
    const text = readFileSync(file, "utf8")
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    if (!new RegExp(`^To: .*${to.replace(/[.+]/g, "\\$&")}`, "im").test(text)) {
      continue;
    }
    for (const m of text.matchAll(new RegExp(`https?://[^\\s"<>]+${escaped}[0-9a-f]{64,70}`, "g"))) {
      found.push(m[0]);
    }
  }
  return found;
}

/** The newest link to `path` in an email to `to` that is not in `seen`. */
async function link(to, path, seen = [], seconds = 20) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const fresh = linksTo(to, path).find((l) => !seen.includes(l));
    if (fresh) {
      return fresh;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no email to ${to} with a new ${path} link`);
}

/** A page in a browser context of its own, in `zone`, `width` pixels wide. */
async function open(url, { zone = "America/New_York", width = 1280 } = {}) {
  const context = await browser.newContext({
    timezoneId: zone,
    locale: "en-GB",
    viewport: { width, height: 900 },
  });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  // A blocked script or style (Content-Security-Policy) is a console error.
  // (A page answered 4xx on purpose logs one too; those are the
  // document's own, and are not counted.)
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) {
      problems.push(`console: ${m.text()}`);
    }
  });
  page.on("response", (r) => {
    if (r.request().resourceType() !== "document" && r.status() >= 400) {
      problems.push(`${r.status()} for ${r.url()}`);
    }
  });
  const response = await page.goto(url);
  return { context, page, problems, response };
}

async function heading(page) {
  return (await page.locator("h1").innerText()).trim();
}

/** axe-core on the page as it stands: no violation of WCAG 2.2 A/AA or axe's best practices. */
async function accessible(page, what) {
  // Evaluated through the browser's debugging protocol, which the page's
  // Content-Security-Policy does not govern (it stays on for the page).
  await page.evaluate(`${axeSource}\n;0`);
  const results = await page.evaluate(() =>
    globalThis.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    }),
  );
  const found = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
  assert.deepEqual(found, [], `axe on ${what}`);
  assert.ok(results.passes.length > 10, `axe ran its rules on ${what}`);
}

/** Tabs from the top of the page until `selector` has the focus (at most 20 stops). */
async function tabTo(page, selector) {
  for (let i = 0; i < 20; i += 1) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) {
      return;
    }
  }
  throw new Error(`${selector} cannot be reached with the keyboard`);
}

function headersOf(response) {
  const h = response.headers();
  assert.match(h["content-security-policy"] ?? "", /default-src 'none'/, "a strict CSP");
  assert.equal(h["referrer-policy"], "no-referrer");
  assert.equal(h["cache-control"], "no-store");
}

const therapistEmail = `therapist.${run}@example.org`;
const clientEmail = `client.${run}@example.org`;
const bookerEmail = `booker.${run}@example.org`;
const slug = `dr-lane-${run}`;
let therapist;

test("verify an email address from the link in its .eml file", async () => {
  const signup = await api("POST", "/api/v1/auth/signup", null, {
    email: therapistEmail,
    password: PASSWORD,
    display_name: "Dr Ada Lane",
    time_zone: "Europe/Berlin",
  });
  assert.equal(signup.status, 202);
  const url = await link(therapistEmail, "/verify-email?token=");
  therapist = await login(therapistEmail);
  assert.equal((await api("GET", "/api/v1/me", therapist)).body.email_verified, false);

  const { page, problems, response, context } = await open(url);
  headersOf(response);
  assert.equal(await heading(page), "Confirm your email address");
  await accessible(page, "the verification page");
  // A form posted from elsewhere (no cookie, no token) changes nothing.
  const token = new URL(url).searchParams.get("token");
  const forged = await fetch(`${BASE}/verify-email`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token, csrf: "0".repeat(64) }),
  });
  assert.equal(forged.status, 403);
  assert.equal((await api("GET", "/api/v1/me", therapist)).body.email_verified, false);
  // The keyboard alone confirms it.
  await tabTo(page, "button[type=submit]");
  await Promise.all([page.waitForLoadState("load"), page.keyboard.press("Enter")]);
  await page.waitForSelector("h1:text('Your email address is confirmed')");
  await accessible(page, "the confirmation");
  assert.equal((await api("GET", "/api/v1/me", therapist)).body.email_verified, true);
  // Used once: the link says so in plain words.
  await page.goto(url);
  assert.equal(await heading(page), "This link no longer works");
  await accessible(page, "a used link");
  assert.deepEqual(problems, []);
  await context.close();
});

test("accept an invitation: the zone comes from the browser, the password rules and messages are the API's", async () => {
  const invited = await api("POST", "/api/v1/invitations", therapist, { email: clientEmail });
  assert.equal(invited.status, 201, JSON.stringify(invited.body));
  const url = await link(clientEmail, "/accept-invitation?token=");
  const { page, problems, response, context } = await open(url, { zone: "America/New_York", width: 390 });
  headersOf(response);
  assert.equal(await heading(page), "Create your account");
  assert.equal(await page.inputValue("#time_zone"), "America/New_York", "the browser's zone");
  await accessible(page, "the invitation page");

  // What the API says about a weak password, the page says too.
  const token = new URL(url).searchParams.get("token");
  const weak = await api("POST", `/api/v1/invitations/${token}/accept`, null, {
    password: "password",
    display_name: "Sam",
    time_zone: "America/New_York",
  });
  assert.equal(weak.status, 422);
  const message = weak.body.errors.find((e) => e.field === "password").message;
  await page.fill("#display_name", "Sam");
  await page.fill("#password", "password");
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
  await page.waitForSelector("#problems");
  assert.ok((await page.locator("#password-error").innerText()).includes(message), message);
  assert.equal(await page.inputValue("#display_name"), "Sam", "what was typed stays");
  assert.equal(await page.inputValue("#password"), "", "never the password");
  assert.equal(
    await page.evaluate(() => document.activeElement?.id),
    "problems",
    "the problems take the focus",
  );
  await accessible(page, "the invitation page with a problem");

  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
  await page.waitForSelector("h1:text('Your account is ready')");
  await accessible(page, "a new account");
  const client = await login(clientEmail);
  const me = (await api("GET", "/api/v1/me", client)).body;
  assert.equal(me.role, "client");
  assert.equal(me.display_name, "Sam");
  assert.equal(me.time_zone, "America/New_York");
  assert.deepEqual(problems, []);
  await context.close();
});

test("reset a password from the link in the email", async () => {
  const asked = await api("POST", "/api/v1/auth/password-reset", null, { email: clientEmail });
  assert.equal(asked.status, 202);
  const url = await link(clientEmail, "/reset-password?token=");
  const { page, problems, response, context } = await open(url);
  headersOf(response);
  assert.equal(await heading(page), "Choose a new password");
  await accessible(page, "the reset page");
  const fresh = "lantern quiet harbour 43";
  await page.fill("#new_password", fresh);
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
  await page.waitForSelector("h1:text('Your new password is set')");
  await accessible(page, "a new password");
  assert.equal((await api("POST", "/api/v1/auth/login", null, { email: clientEmail, password: PASSWORD })).status, 401);
  await login(clientEmail, fresh);
  assert.deepEqual(problems, []);
  await context.close();
});

let manageUrl;
test("book on the public page in the visitor's zone, then confirm from the email", async () => {
  const day = [{ start: "08:00", end: "20:00" }];
  const weekly = Object.fromEntries(["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, day]));
  const profile = await api("PUT", "/api/v1/me/booking-profile", therapist, {
    slug,
    bio: "Free 15-minute calls to see whether we are a good fit.",
    offers_consultations: true,
    settings: { notice_minutes: 0, horizon_days: 30 },
    weekly,
  });
  assert.equal(profile.status, 200, JSON.stringify(profile.body));

  mkdirSync(SHOTS, { recursive: true });
  const { page, problems, response, context } = await open(`${BASE}/book/${slug}`, {
    zone: "America/New_York",
    width: 390,
  });
  headersOf(response);
  // The page asks for its times in the visitor's zone.
  await page.waitForURL(/zone=America%2FNew_York/);
  assert.match(await heading(page), /Book a free consultation with Dr Ada Lane/);
  assert.equal(await page.inputValue("#zone"), "America/New_York");
  assert.match(await page.locator("legend").innerText(), /America\/New_York/);
  await page.screenshot({ path: join(SHOTS, "booking-390.png"), fullPage: true });
  await accessible(page, "the booking page at 390 px");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: join(SHOTS, "booking-1280.png"), fullPage: true });
  await accessible(page, "the booking page at 1280 px");

  // Nothing chosen: the page says what is missing, and keeps the rest.
  await page.fill("#name", "Robin Hart");
  await page.fill("#email", bookerEmail);
  await Promise.all([page.waitForLoadState("load"), page.click("button:text('Hold this time')")]);
  await page.waitForSelector("#problems", { timeout: 5000 }).catch(async (e) => {
    throw new Error(`${e.message}\n${(await page.content()).slice(0, 3000)}`);
  });
  assert.match(await page.locator("#problems").innerText(), /choose one of the open times/);
  assert.equal(await page.inputValue("#email"), bookerEmail);
  await accessible(page, "the booking page with a problem");

  const first = page.locator("input[name=start]").first();
  const start = await first.getAttribute("value");
  await page.locator(`label[for="${await first.getAttribute("id")}"]`).click();
  await page.fill("#note", "I would like to talk about sleep.");
  await Promise.all([page.waitForLoadState("load"), page.click("button:text('Hold this time')")]);
  await page.waitForSelector("h1:text('Check your email to confirm')");
  await accessible(page, "a held time");

  const confirmUrl = await link(bookerEmail, "/consultations/confirm?token=");
  await page.goto(confirmUrl);
  assert.equal(await heading(page), "Confirm your consultation");
  await accessible(page, "the hold's confirmation page");
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
  await page.waitForSelector("h1:text('Your consultation is booked')");
  await accessible(page, "a booked consultation");

  const listed = (await api("GET", "/api/v1/consultations?when=upcoming", therapist)).body.items;
  const booked = listed.find((c) => c.email === bookerEmail);
  assert.equal(booked?.status, "confirmed");
  assert.equal(new Date(booked.start).getTime(), new Date(start).getTime());
  assert.equal(booked.time_zone, "America/New_York");
  manageUrl = await link(bookerEmail, "/consultations/manage?token=");
  assert.deepEqual(problems, []);
  await context.close();
});

test("move and then cancel the consultation from its manage link", async () => {
  const { page, problems, response, context } = await open(manageUrl, { width: 390 });
  headersOf(response);
  assert.equal(await heading(page), "Your consultation");
  await accessible(page, "the manage page");
  const third = page.locator("input[name=start]").nth(2);
  const start = await third.getAttribute("value");
  await page.locator(`label[for="${await third.getAttribute("id")}"]`).click();
  await Promise.all([page.waitForLoadState("load"), page.click("button:text('Move to this time')")]);
  await page.waitForSelector("h1:text('Your consultation is moved')");
  await accessible(page, "a moved consultation");
  let booked = (await api("GET", "/api/v1/consultations?when=upcoming", therapist)).body.items.find(
    (c) => c.email === bookerEmail,
  );
  assert.equal(new Date(booked.start).getTime(), new Date(start).getTime(), "moved to the time chosen");

  // The move sent a new link; the old one no longer opens anything.
  const newUrl = await link(bookerEmail, "/consultations/manage?token=", [manageUrl]);
  await page.goto(manageUrl);
  assert.equal(await heading(page), "This link no longer works");
  await page.goto(newUrl);
  assert.equal(await heading(page), "Your consultation");
  await tabTo(page, "button.secondary");
  await Promise.all([page.waitForLoadState("load"), page.keyboard.press("Enter")]);
  await page.waitForSelector("h1:text('Your consultation is cancelled')");
  await accessible(page, "a cancelled consultation");
  const all = (await api("GET", "/api/v1/consultations?when=upcoming", therapist)).body.items;
  booked = all.find((c) => c.email === bookerEmail);
  assert.equal(booked.status, "cancelled");
  assert.deepEqual(problems, []);
  await context.close();
});

test("turn reminders off from the unsubscribe link of a reminder", { timeout: 180_000 }, async () => {
  const client = await login(clientEmail, "lantern quiet harbour 43");
  const prefs = await api("PUT", "/api/v1/me/notification-preferences", client, { quiet_hours: null });
  assert.equal(prefs.status, 200, JSON.stringify(prefs.body));
  // A habit whose nudge is due in the coming minute, in the client's zone.
  const soon = new Intl.DateTimeFormat("en-GB", {
    timeZone: "America/New_York",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(Date.now() + 60_000));
  const habit = await api("POST", "/api/v1/habits", client, {
    name: "Walk",
    kind: "yes_no",
    frequency: { type: "daily" },
    reminder_time: soon,
  });
  assert.equal(habit.status, 201, JSON.stringify(habit.body));
  const url = await link(clientEmail, "/unsubscribe/", [], 150);
  const { page, problems, response, context } = await open(url);
  assert.equal(response.headers()["referrer-policy"], "no-referrer");
  assert.equal(await heading(page), "Turn off these emails?");
  await accessible(page, "the unsubscribe page");
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
  await page.waitForSelector("h1:text('Turned off')");
  await accessible(page, "reminders turned off");
  const after = (await api("GET", "/api/v1/me/notification-preferences", client)).body;
  assert.equal(after.habit_reminders.enabled, false);
  assert.deepEqual(problems, []);
  await context.close();
});
