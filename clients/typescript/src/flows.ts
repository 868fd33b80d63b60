// Every main flow of Between, written the way a front end would: typed by
// the generated `schema.d.ts` and called with openapi-fetch. `tsc --strict`
// checks it against the document; running it checks it against a service.
//
//   BASE_URL=http://127.0.0.1:8080 OUTBOX_DIR=./data/outbox node dist/flows.js
//
// The service must write email to files (no SMTP_URL), so the links in
// them can be read from OUTBOX_DIR.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type EntryView = components["schemas"]["EntryView"];
type SharedEntryView = components["schemas"]["SharedEntryView"];
type TokenPair = components["schemas"]["TokenPair"];

const baseUrl = process.env.BASE_URL ?? "http://127.0.0.1:8080";
const outbox = process.env.OUTBOX_DIR ?? "./data/outbox";
const run = Date.now().toString(36);
const password = "quiet harbour lantern 42";

const api = createClient<paths>({ baseUrl });

let steps = 0;
function check(condition: boolean, what: string): asserts condition {
  if (!condition) {
    throw new Error(`failed: ${what}`);
  }
  steps += 1;
}

function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

/** The token of the link in the newest email to `to`, as the worker wrote it. */
async function linkToken(to: string, path: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const entries = (() => {
      try {
        return readdirSync(outbox, { withFileTypes: true });
      } catch {
        return []; // not written yet
      }
    })();
    const files = entries
      .filter((f) => f.isFile() && f.name.endsWith(".eml"))
      .map((f) => join(outbox, f.name))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    for (const file of files) {
      // The text part is quoted-printable: join soft line breaks, decode =XX.
      const text = readFileSync(file, "utf8")
        .replace(/=\r?\n/g, "")
        .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      if (!new RegExp(`^To: .*${to.replace(/[.+]/g, "\\$&")}`, "im").test(text)) {
        continue;
      }
      const match = new RegExp(`${path}\\?token=([0-9a-f]{64})`).exec(text);
      if (match?.[1]) {
        return match[1];
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no email with a ${path} link to ${to}`);
}

async function login(email: string): Promise<TokenPair> {
  const { data, error } = await api.POST("/api/v1/auth/login", {
    body: { email, password },
  });
  check(data !== undefined, `login of ${email}: ${JSON.stringify(error)}`);
  check(data.token_type === "Bearer", "a bearer token");
  return data;
}

async function main(): Promise<void> {
  // --- A therapist signs up, verifies the address and logs in. ---------------
  const therapistEmail = `therapist.${run}@example.org`;
  const signup = await api.POST("/api/v1/auth/signup", {
    body: {
      email: therapistEmail,
      password,
      display_name: "Dr. Sam Rivera",
      time_zone: "Europe/Berlin",
    },
  });
  check(signup.response.status === 202, "signup is accepted");
  const verifyToken = await linkToken(therapistEmail, "/verify-email");
  const verified = await api.POST("/api/v1/auth/verify-email", {
    body: { token: verifyToken },
  });
  check(verified.response.status === 204, "the address is verified");
  let therapist = await login(therapistEmail);
  const me = await api.GET("/api/v1/me", { headers: bearer(therapist.access_token) });
  check(me.data?.role === "therapist" && me.data.email_verified, "a verified therapist");

  // Refresh rotates the tokens; the new access token works.
  const refreshed = await api.POST("/api/v1/auth/refresh", {
    body: { refresh_token: therapist.refresh_token },
  });
  check(refreshed.data !== undefined, "refresh");
  therapist = refreshed.data;
  const again = await api.GET("/api/v1/me", { headers: bearer(therapist.access_token) });
  check(again.response.ok, "the refreshed token works");

  // --- The therapist invites a client, who accepts. --------------------------
  const clientEmail = `client.${run}@example.org`;
  const invited = await api.POST("/api/v1/invitations", {
    headers: bearer(therapist.access_token),
    body: { email: clientEmail },
  });
  check(invited.data?.status === "pending", "a pending invitation");
  check(invited.response.headers.get("Location") !== null, "Location of the invitation");
  const invitations = await api.GET("/api/v1/invitations", {
    headers: bearer(therapist.access_token),
    params: { query: { limit: 10 } },
  });
  check(invitations.data?.items.some((i) => i.email === clientEmail) === true, "listed");
  const invitationToken = await linkToken(clientEmail, "/accept-invitation");
  const accepted = await api.POST("/api/v1/invitations/{token}/accept", {
    params: { path: { token: invitationToken } },
    body: { password, display_name: "Ada", time_zone: "America/New_York" },
  });
  check(accepted.response.status === 201 && accepted.data?.role === "client", "accepted");
  const client = await login(clientEmail);
  const clientId = accepted.data.id;
  const clients = await api.GET("/api/v1/clients", { headers: bearer(therapist.access_token) });
  check(clients.data?.items[0]?.id === clientId, "the therapist sees the new client");

  // --- Journal: create (safely retried), page, filter, read, edit. -----------
  const key = `key-${run}`;
  const create = () =>
    api.POST("/api/v1/journal/entries", {
      headers: bearer(client.access_token),
      params: { header: { "Idempotency-Key": key } },
      body: { kind: "question_for_session", title: "For Tuesday", body: "Why do Sundays feel heavy?", mood: 2, tags: ["Sunday"] },
    });
  const first = await create();
  const retried = await create();
  check(first.response.status === 201 && first.data !== undefined, "an entry");
  check(retried.response.headers.get("Idempotent-Replayed") === "true", "a replay");
  check(retried.data?.id === first.data.id, "the same entry");
  const question: EntryView = first.data;
  for (let i = 0; i < 24; i += 1) {
    const more = await api.POST("/api/v1/journal/entries", {
      headers: bearer(client.access_token),
      body: { kind: i % 2 === 0 ? "free" : "trigger", body: `Entry number ${i}`, tags: [] },
    });
    check(more.response.status === 201, `entry ${i}`);
  }
  const seen = new Set<string>();
  let cursor: string | null = null;
  do {
    const page: { data?: components["schemas"]["Page_EntryView"] } = await api.GET(
      "/api/v1/journal/entries",
      {
        headers: bearer(client.access_token),
        params: { query: { limit: 10, ...(cursor !== null ? { cursor } : {}) } },
      },
    );
    check(page.data !== undefined, "a page");
    for (const entry of page.data.items) {
      check(!seen.has(entry.id), "each entry once");
      seen.add(entry.id);
    }
    cursor = page.data.next_cursor;
  } while (cursor !== null);
  check(seen.size === 25, "25 entries over three pages");
  const triggers = await api.GET("/api/v1/journal/entries", {
    headers: bearer(client.access_token),
    params: { query: { kind: "trigger", q: "number", limit: 100 } },
  });
  check(triggers.data?.items.length === 12, "filters and search");
  const tagged = await api.GET("/api/v1/journal/entries", {
    headers: bearer(client.access_token),
    params: { query: { tag: "sunday", mood_max: 2 } },
  });
  check(tagged.data?.items[0]?.id === question.id, "tag and mood filters");

  const read = await api.GET("/api/v1/journal/entries/{id}", {
    headers: bearer(client.access_token),
    params: { path: { id: question.id } },
  });
  const etag = read.response.headers.get("ETag");
  check(read.data !== undefined && etag !== null, "an entry with its ETag");
  const edited = await api.PATCH("/api/v1/journal/entries/{id}", {
    headers: { ...bearer(client.access_token), "If-Match": etag },
    params: { path: { id: question.id } },
    body: { body: "Why do Sunday evenings feel heavy?", mood: null },
  });
  check(edited.data?.version === 2 && edited.data.mood === null, "edited");
  const stale = await api.PATCH("/api/v1/journal/entries/{id}", {
    headers: { ...bearer(client.access_token), "If-Match": etag },
    params: { path: { id: question.id } },
    body: { title: "Lost update" },
  });
  check(stale.response.status === 412 && stale.error?.code === "version_mismatch", "412");

  // --- Sharing, the therapist's inbox, reply and agenda. ----------------------
  const expires = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
  const shared = await api.PUT("/api/v1/journal/entries/{id}/share", {
    headers: bearer(client.access_token),
    params: { path: { id: question.id } },
    body: { expires_at: expires },
  });
  check(shared.data?.expires_at !== null && shared.data?.read_at === null, "shared until");
  const inbox = await api.GET("/api/v1/clients/{id}/shared", {
    headers: bearer(therapist.access_token),
    params: { path: { id: clientId }, query: { unread: true } },
  });
  check(inbox.data?.items.length === 1, "one unread shared entry");
  const opened = await api.GET("/api/v1/clients/{id}/shared/{entry_id}", {
    headers: bearer(therapist.access_token),
    params: { path: { id: clientId, entry_id: question.id } },
  });
  const openedEntry: SharedEntryView | undefined = opened.data;
  check(openedEntry?.read_at !== null && openedEntry?.body === "Why do Sunday evenings feel heavy?", "opened");
  const reply = await api.POST("/api/v1/clients/{id}/shared/{entry_id}/replies", {
    headers: bearer(therapist.access_token),
    params: { path: { id: clientId, entry_id: question.id } },
    body: { body: "Let's start with this on Tuesday." },
  });
  check(reply.response.status === 201, "a reply");
  const agenda = await api.GET("/api/v1/clients/{id}/agenda", {
    headers: bearer(therapist.access_token),
    params: { path: { id: clientId } },
  });
  check(agenda.data?.items[0]?.entry_id === question.id && agenda.data.next_cursor === null, "agenda");
  const discussed = await api.POST("/api/v1/clients/{id}/agenda/{entry_id}/discussed", {
    headers: bearer(therapist.access_token),
    params: { path: { id: clientId, entry_id: question.id } },
  });
  check(discussed.response.status === 204, "discussed");
  const withReply = await api.GET("/api/v1/journal/entries/{id}", {
    headers: bearer(client.access_token),
    params: { path: { id: question.id } },
  });
  check(withReply.data?.replies?.[0]?.body === "Let's start with this on Tuesday.", "the client sees the reply");

  // --- The client's access log shows every read, never the content. ---------
  const log = await api.GET("/api/v1/me/access-log", {
    headers: bearer(client.access_token),
    params: { query: { limit: 100 } },
  });
  const actions = log.data?.items.map((row) => `${row.resource}:${row.action}`) ?? [];
  check(actions.includes("journal_entry:read") && actions.includes("client_profile:list"), "logged");
  check(!JSON.stringify(log.data).includes("Sunday"), "no content in the log");

  // --- Take it back, delete, and a problem a front end can switch on. -------
  const unshared = await api.DELETE("/api/v1/journal/entries/{id}/share", {
    headers: bearer(client.access_token),
    params: { path: { id: question.id } },
  });
  check(unshared.response.status === 204, "unshared");
  const gone = await api.GET("/api/v1/clients/{id}/shared/{entry_id}", {
    headers: bearer(therapist.access_token),
    params: { path: { id: clientId, entry_id: question.id } },
  });
  check(gone.response.status === 404 && gone.error?.code === "not_found", "gone at once");
  const invalid = await api.POST("/api/v1/journal/entries", {
    headers: bearer(client.access_token),
    body: { kind: "free", body: "" },
  });
  check(invalid.error?.code === "validation_failed" && invalid.error.errors?.[0]?.field === "body", "422");
  const deleted = await api.DELETE("/api/v1/journal/entries/{id}", {
    headers: bearer(client.access_token),
    params: { path: { id: question.id } },
  });
  check(deleted.response.status === 204, "deleted");

  // --- Exercises: copy a starter template, assign it, answer it. -------------
  const starter = await api.GET("/api/v1/exercise-templates", {
    headers: bearer(therapist.access_token),
    params: { query: { source: "starter", category: "reflection", limit: 100 } },
  });
  const goodThings = starter.data?.items.find((t) => t.title === "Three good things");
  check(goodThings !== undefined, "the starter library ships");
  const copied = await api.POST("/api/v1/exercise-templates/{id}/copy", {
    headers: bearer(therapist.access_token),
    params: { path: { id: goodThings.id } },
  });
  check(copied.response.status === 201 && copied.data?.source === "mine", "copied into my library");
  const kinds = copied.data.fields.map((f) => f.input.type);
  check(kinds.every((k) => k === "text"), "typed fields");
  // "Today" is the client's local date (America/New_York).
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York" }).format(new Date());
  const assigned = await api.POST("/api/v1/assignments", {
    headers: bearer(therapist.access_token),
    body: {
      client_id: clientId,
      template_id: copied.data.id,
      instructions: "Before bed, three lines are enough.",
      schedule: { kind: "daily", start_on: today, count: 14 },
    },
  });
  check(assigned.response.status === 201 && assigned.data?.next_due?.due_on === today, "assigned, due today");
  const assignmentId = assigned.data.id;
  const due = await api.GET("/api/v1/assignments", {
    headers: bearer(client.access_token),
    params: { query: { due: "today" } },
  });
  check(due.data?.items[0]?.due[0]?.state === "open", "due today for the client");
  const draft = await api.PUT("/api/v1/assignments/{id}/draft", {
    headers: bearer(client.access_token),
    params: { path: { id: assignmentId } },
    body: { answers: { first: "A slow breakfast" } },
  });
  check(draft.response.status === 200, "a draft kept");
  const incomplete = await api.POST("/api/v1/assignments/{id}/responses", {
    headers: bearer(client.access_token),
    params: { path: { id: assignmentId } },
    body: { answers: { first: "A slow breakfast" } },
  });
  check(incomplete.error?.errors?.[0]?.field === "answers.second", "required fields named");
  const answered = await api.POST("/api/v1/assignments/{id}/responses", {
    headers: bearer(client.access_token),
    params: { path: { id: assignmentId } },
    body: {
      answers: { first: "A slow breakfast", second: "A call with Sam", third: "Finished the book" },
      helpfulness: 4,
      private: true,
    },
  });
  check(answered.response.status === 201 && answered.data?.on_time === true, "answered on time");
  const seenResponses = await api.GET("/api/v1/assignments/{id}/responses", {
    headers: bearer(therapist.access_token),
    params: { path: { id: assignmentId } },
  });
  check(seenResponses.data?.items[0]?.answers === null && seenResponses.data.items[0].private, "private: done, not what");
  const adherence = await api.GET("/api/v1/clients/{id}/adherence", {
    headers: bearer(therapist.access_token),
    params: { path: { id: clientId } },
  });
  check(adherence.data?.last_7_days.completed_on_time === 1, "adherence counts it");

  // --- The dashboard: figures only, from what is shared or submitted. --------
  const board = await api.GET("/api/v1/dashboard", {
    headers: bearer(therapist.access_token),
    params: { query: { sort: "needs_attention", limit: 10 } },
  });
  const line = board.data?.items.find((c) => c.id === clientId);
  check(line !== undefined && board.data?.total === board.data?.items.length, "the client on the dashboard");
  check(line.exercises.last_7_days.completed_on_time === 1 && line.unread.responses === 0, "a private response: done, not unread");
  const byName = await api.GET("/api/v1/dashboard", {
    headers: bearer(therapist.access_token),
    params: { query: { sort: "name", name: "ADA" } },
  });
  check(byName.data?.items[0]?.id === clientId && Array.isArray(byName.data.consultations.today), "sorted by name, filtered");
  const badCursor = await api.GET("/api/v1/dashboard", {
    headers: bearer(therapist.access_token),
    params: { query: { cursor: "not-a-cursor" } },
  });
  check(badCursor.response.status === 422 || badCursor.response.status === 400, "a made-up cursor is refused");
  const summary = await api.GET("/api/v1/clients/{id}/summary", {
    headers: bearer(therapist.access_token),
    params: { path: { id: clientId } },
  });
  const summarised = summary.data?.exercises.assignments.find((a) => a.assignment_id === assignmentId);
  check(summarised !== undefined && summarised.latest_responses.length === 0, "the private response is not listed");
  check(summary.data?.mood === null && summary.data.upcoming.length > 0, "no mood unless shared; the week ahead");
  const summaryRefused = await api.GET("/api/v1/clients/{id}/summary", {
    headers: bearer(client.access_token),
    params: { path: { id: clientId } },
  });
  check(summaryRefused.response.status === 403, "clients read no summaries");

  // --- Habits: a suggestion accepted, check-ins, the numbers, a share. -------
  const suggested = await api.POST("/api/v1/habit-suggestions", {
    headers: bearer(therapist.access_token),
    body: {
      client_id: clientId,
      note: "Small steps count.",
      habit: { name: "Drink water", kind: "numeric", unit: "glasses", target: 6, frequency: { type: "daily" } },
    },
  });
  check(suggested.response.status === 201 && suggested.data?.status === "pending", "a habit suggested");
  const noneYet = await api.GET("/api/v1/habits", { headers: bearer(client.access_token) });
  check(noneYet.data?.items.length === 0, "nothing reaches the client before they accept");
  const taken = await api.POST("/api/v1/habit-suggestions/{id}/accept", {
    headers: bearer(client.access_token),
    params: { path: { id: suggested.data.id } },
  });
  check(taken.data?.habit.target === 6 && taken.data.habit.share === null, "accepted, private");
  const water = taken.data.habit.id;
  const walk = await api.POST("/api/v1/habits", {
    headers: bearer(client.access_token),
    body: { name: "Walk", kind: "yes_no", frequency: { type: "times_per_period", times: 3, days: 7 }, reminder_time: "18:00" },
  });
  check(walk.response.status === 201 && walk.data?.today.counts_as === "open", "a habit of my own");
  const yesterday = new Date(Date.parse(`${today}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  for (const [date, amount] of [[yesterday, 4], [today, 7]] as const) {
    const glasses = await api.PUT("/api/v1/habits/{id}/check-ins/{date}", {
      headers: bearer(client.access_token),
      params: { path: { id: water, date } },
      body: { amount },
    });
    check(glasses.data?.amount === amount, `checked in on ${date}`);
  }
  const sick = await api.PUT("/api/v1/habits/{id}/check-ins/{date}", {
    headers: bearer(client.access_token),
    params: { path: { id: walk.data.id, date: yesterday } },
    body: { status: "skip", note: "a cold" },
  });
  check(sick.data?.status === "skip", "a day skipped");
  const numbers = await api.GET("/api/v1/habits/{id}/stats", {
    headers: bearer(client.access_token),
    params: { path: { id: water }, query: { from: yesterday } },
  });
  check(numbers.data?.days.length === 2 && numbers.data.days[1]?.counts_as === "met", "today on target");
  check(numbers.data.current_streak?.length === 1 && numbers.data.score > 0, "a streak and a score");
  const mood = await api.PUT("/api/v1/daily-check-ins/{date}", {
    headers: bearer(client.access_token),
    params: { path: { date: today } },
    body: { mood: 4, energy: 3, sleep_hours: 7.5, tags: ["calm", "saw friends"] },
  });
  check(mood.data?.tags[1] === "saw-friends", "a daily check-in");
  const habitShare = await api.PUT("/api/v1/habits/{id}/share", {
    headers: bearer(client.access_token),
    params: { path: { id: water } },
    body: {},
  });
  check(habitShare.response.status === 200, "the habit is shared");
  const theirHabits = await api.GET("/api/v1/clients/{id}/habits", {
    headers: bearer(therapist.access_token),
    params: { path: { id: clientId } },
  });
  check(theirHabits.data?.length === 1 && theirHabits.data[0]?.id === water, "only the shared habit");
  const series = await api.GET("/api/v1/clients/{id}/daily-check-ins", {
    headers: bearer(therapist.access_token),
    params: { path: { id: clientId } },
  });
  check(series.response.status === 404, "the series is not shared");

  // --- Reminders: settings per role, and a forged unsubscribe link. --------
  const prefs = await api.GET("/api/v1/me/notification-preferences", { headers: bearer(client.access_token) });
  check(prefs.data?.habit_reminders?.enabled === true && prefs.data.therapist_digest === undefined, "a client's reminder kinds");
  const quieter = await api.PUT("/api/v1/me/notification-preferences", {
    headers: bearer(client.access_token),
    body: { quiet_hours: { start: "22:00", end: "07:00" }, exercise_reminders: { enabled: true, time: "08:30" } },
  });
  check(quieter.data?.quiet_hours?.end === "07:00" && quieter.data.exercise_reminders?.time === "08:30", "quiet hours and a time");
  const notMine = await api.PUT("/api/v1/me/notification-preferences", {
    headers: bearer(client.access_token),
    body: { therapist_digest: { enabled: false } },
  });
  check(notMine.response.status === 422, "a therapist's kind is refused to a client");
  const forged = await api.POST("/api/v1/notifications/unsubscribe/{token}", {
    params: { path: { token: "0".repeat(70) } },
  });
  check(forged.response.status === 404 && forged.error?.code === "not_found", "a forged unsubscribe link");

  // --- Booking: a free consultation, booked, confirmed, moved, cancelled. ---
  const slug = `flows-${run}`;
  const allDay = [{ start: "00:00", end: "23:45" }];
  const profile = await api.PUT("/api/v1/me/booking-profile", {
    headers: bearer(therapist.access_token),
    body: {
      slug,
      offers_consultations: true,
      settings: { notice_minutes: 0, horizon_days: 30, cutoff_minutes: 0 },
      weekly: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay },
    },
  });
  check(profile.data?.slug === slug, "a booking profile");
  // Two days ahead: every slot of that date lies well in the future.
  const later = new Date(Date.parse(`${today}T12:00:00Z`) + 2 * 86_400_000).toISOString().slice(0, 10);
  const open = await api.GET("/api/v1/therapists/{slug}/slots", {
    params: { path: { slug }, query: { from: later, to: later, time_zone: "Asia/Kolkata" } },
  });
  const firstSlot = open.data?.days[0]?.slots[0];
  const laterSlot = open.data?.days[0]?.slots[8];
  check(firstSlot !== undefined && laterSlot !== undefined, "open slots");
  check(firstSlot.start.endsWith("+05:30"), "slots in the visitor's zone");
  const booker = `booker-${run}@example.org`;
  const held = await api.POST("/api/v1/therapists/{slug}/consultations", {
    params: { path: { slug } },
    body: { start: firstSlot.start, name: "Sam", email: booker, time_zone: "Asia/Kolkata", note: "About sleep." },
  });
  check(held.response.status === 201 && held.data?.status === "held", "held");
  const racer = await api.POST("/api/v1/therapists/{slug}/consultations", {
    params: { path: { slug } },
    body: { start: firstSlot.start, name: "Kim", email: `other-${run}@example.org`, time_zone: "UTC" },
  });
  check(racer.response.status === 409 && racer.error?.code === "slot_taken", "one slot, one booking");
  const confirmation = await api.POST("/api/v1/consultations/confirm", {
    body: { token: await linkToken(booker, "/consultations/confirm") },
  });
  check(confirmation.data?.status === "confirmed", "confirmed from the email");
  const manage = await linkToken(booker, "/consultations/manage");
  const moved = await api.POST("/api/v1/consultation-links/{token}/reschedule", {
    params: { path: { token: manage } },
    body: { start: laterSlot.start },
  });
  check(moved.data?.start === laterSlot.start, `moved to another slot: ${JSON.stringify(moved.error)}`);
  let newer = manage;
  for (let attempt = 0; attempt < 50 && newer === manage; attempt += 1) {
    newer = await linkToken(booker, "/consultations/manage");
    if (newer === manage) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  check(newer !== manage, "the move brings a new manage link");
  const cancelled = await api.POST("/api/v1/consultation-links/{token}/cancel", {
    params: { path: { token: newer } },
  });
  check(cancelled.data?.status === "cancelled", "cancelled from the link");
  const consultations = await api.GET("/api/v1/consultations", {
    headers: bearer(therapist.access_token),
    params: { query: { status: "cancelled" } },
  });
  check(consultations.data?.items.some((c) => c.email === booker && c.note === "About sleep.") === true, "the therapist sees it");

  // --- Logout ends the session at once. --------------------------------------
  const out = await api.POST("/api/v1/auth/logout", { headers: bearer(client.access_token) });
  check(out.response.status === 204, "logged out");
  const after = await api.GET("/api/v1/me", { headers: bearer(client.access_token) });
  check(after.error?.code === "session_ended", "the token stopped working");

  console.log(`every flow passed: ${steps} checks against ${baseUrl}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
