// The tester page: pick who dials, type a dial string, see what it becomes.
// Plain JavaScript against the JSON API; every value from the tenant is put in
// the page as text, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);

const page = {
  form: $("form"),
  user: $("user"),
  region: $("region"),
  regionSearch: $("region-search"),
  userDetail: $("user-detail"),
  share: $("share-link"),
  dialPlan: $("dial-plan"),
  dialed: $("dialed"),
  tenantScopeOnly: $("tenant-scope-only"),
  error: $("error"),
  rules: document.querySelector("#rules tbody"),
  trace: $("trace"),
};

let effectiveRules = [];
let allRegions = []; // every usage location, as /v1/regions gives them
let allUsers = [];
let pending = null; // the AbortController of the request in flight
let timer = null;

async function getJSON(url, options) {
  const response = await fetch(url, options);
  let body = null;
  try {
    body = await response.json();
  } catch (_) {
    body = { detail: `${response.status} ${response.statusText}` };
  }
  if (!response.ok) {
    const error = new Error(body && body.detail ? body.detail : response.statusText);
    error.body = body;
    throw error;
  }
  return body;
}

function mode() {
  return page.form.elements.mode.value;
}

function target() {
  if (mode() === "user") {
    return { user: page.user.value };
  }
  const chosen = { usage_location: page.region.value };
  if (page.dialPlan.value) chosen.dial_plan = page.dialPlan.value;
  return chosen;
}

function option(value, label) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = label;
  return element;
}

function text(tag, content, className) {
  const element = document.createElement(tag);
  element.textContent = content;
  if (className) element.className = className;
  return element;
}

function code(content) {
  return text("code", content);
}

function ruleKey(rule) {
  return `${rule.scope}\u0000${rule.dial_plan}\u0000${rule.priority}`;
}

function showError(message) {
  page.error.textContent = message;
  page.error.hidden = !message;
}

function setAnswer(id, value, emptyText) {
  const element = $(id);
  element.classList.toggle("none", value === null || value === undefined);
  element.textContent = value === null || value === undefined ? emptyText : value;
}

function clearAnswer() {
  for (const id of [
    "translated-number",
    "final-number",
    "matching-rule",
    "destination",
    "calling-plan",
    "calling-plan-sentence",
  ]) {
    setAnswer(id, "–", "–");
    $(id).classList.remove("none");
  }
  const badge = $("call-type");
  badge.textContent = "–";
  badge.className = "badge";
  markRules(new Set(), null);
  page.trace.replaceChildren(text("p", "Type a dial string.", "muted"));
}

function renderRules(plan) {
  effectiveRules = plan.rules;
  $("effective-name").textContent =
    `${plan.name} (usage location ${plan.region}` +
    (plan.tenant_dial_plan ? `, tenant plan ${plan.tenant_dial_plan})` : ", no tenant plan)");
  const rows = plan.rules.map((rule, index) => {
    const row = document.createElement("tr");
    row.dataset.key = ruleKey(rule);
    if (rule.scope === "service") row.classList.add("service");
    const name = document.createElement("td");
    const label = text("span", rule.name);
    if (rule.is_internal_extension) label.append(" ", text("small", "(internal extension)"));
    name.append(label);
    const scope = rule.scope === "service" ? "service plan" : rule.scope;
    row.append(
      text("td", String(index)),
      name,
      text("td", `${rule.dial_plan} (${scope})`),
      document.createElement("td"),
      document.createElement("td"),
      text("td", "", "mark"),
    );
    // On a phone the table is a list of cards: each cell says what it is.
    ["#", "Rule", "Dial plan", "Pattern", "Translation", "Match"].forEach((label, column) => {
      row.children[column].dataset.label = label;
    });
    row.children[3].append(code(rule.pattern));
    row.children[4].append(code(rule.translation));
    return row;
  });
  page.rules.replaceChildren(...rows);
}

function markRules(matching, winner) {
  for (const row of page.rules.children) {
    const isWinner = winner !== null && row.dataset.key === winner;
    const isMatch = matching.has(row.dataset.key);
    row.classList.toggle("winner", isWinner);
    row.classList.toggle("match", isMatch && !isWinner);
    row.querySelector(".mark").textContent = isWinner ? "winner" : isMatch ? "matches" : "";
  }
}

function renderTrace(passes) {
  const parts = [];
  passes.forEach((pass, number) => {
    parts.push(text("h3", `Pass ${number + 1}: ${pass.input}`));
    const list = document.createElement("ol");
    list.start = 0;
    for (const entry of pass.tried) {
      const item = document.createElement("li");
      if (entry.matched) {
        item.className = "hit";
        const groups = Object.entries(entry.groups)
          .map(([name, value]) => `$${name}=${value === null ? "∅" : value}`)
          .join(" ");
        item.append(`${entry.rule} (${entry.dial_plan}) matched ${groups} → `, code(entry.output));
      } else {
        item.append(`${entry.rule} (${entry.dial_plan}): no match`);
      }
      list.append(item);
    }
    parts.push(list);
    const last = pass.tried[pass.tried.length - 1];
    const winner = pass.matching_rule !== null && last ? ruleKey(last) : null;
    const others = pass.would_match
      .filter((entry) => ruleKey(entry) !== winner)
      .map((entry) => entry.rule);
    if (others.length) parts.push(text("p", `Also matching: ${others.join(", ")}`, "muted"));
    parts.push(
      text("p", pass.output === null ? "No rule matched." : `Output: ${pass.output}`, "muted"),
    );
  });
  page.trace.replaceChildren(...parts);
}

function renderCallingPlan(plan) {
  if (!plan) {
    setAnswer("calling-plan", null, "no user chosen: no licence to judge");
    setAnswer("calling-plan-sentence", null, "–");
    return;
  }
  const credits = plan.communications_credits ? "Communications Credits on" : "Communications Credits off";
  const verdict = plan.allowed
    ? `allowed · ${plan.billing_category.replaceAll("_", " ")}${plan.charged_to ? ` · charged to ${plan.charged_to}` : ""}`
    : `blocked · ${plan.block_reason}`;
  setAnswer("calling-plan", `${plan.calling_plan || "no Calling Plan"} · ${credits} · ${verdict}`, "–");
  $("calling-plan").classList.toggle("blocked", !plan.allowed);
  setAnswer("calling-plan-sentence", plan.sentence, "–");
}

function renderResult(result) {
  setAnswer("translated-number", result.translated_number, "no rule matched");
  setAnswer("final-number", result.final_number, "–");
  const rule = result.matching_rule;
  setAnswer(
    "matching-rule",
    rule
      ? `${rule.name} (${rule.scope === "service" ? "service plan" : "tenant plan"} ${rule.dial_plan}, priority ${rule.priority})`
      : null,
    "none",
  );
  const badge = $("call-type");
  badge.textContent = result.call_type;
  badge.className = `badge ${result.call_type}`;
  const destination = [
    result.destination_region,
    result.number_type ? result.number_type.replaceAll("_", " ") : null,
    result.is_valid_number ? "valid" : "not a valid number",
  ].filter(Boolean);
  setAnswer("destination", destination.join(" · "), "–");
  renderCallingPlan(result.calling_plan);
  const first = (result.trace || [])[0];
  const matching = new Set(first ? first.would_match.map(ruleKey) : []);
  markRules(matching, rule ? ruleKey(rule) : null);
  renderTrace(result.trace || []);
}

// The address bar carries who dials and the dial string, so a result can be sent and reopened.
function stateParams() {
  const params = new URLSearchParams();
  const chosen = target();
  if (chosen.user) {
    params.set("user", chosen.user);
  } else {
    params.set("location", chosen.usage_location);
    if (chosen.dial_plan) params.set("plan", chosen.dial_plan);
  }
  if (page.dialed.value) params.set("dialed", page.dialed.value);
  if (page.tenantScopeOnly.checked) params.set("scope", "tenant");
  return params;
}

function syncURL() {
  const url = `${location.pathname}?${stateParams()}`;
  history.replaceState(null, "", url);
  page.share.href = url;
}

function regionLabel(region) {
  return `${region.name || region.region} — ${region.region} (+${region.calling_code})`;
}

function showRegions(query) {
  const wanted = query.trim().toLowerCase().replace(/^\+/, "");
  const current = page.region.value;
  const shown = allRegions.filter(
    (region) =>
      !wanted ||
      region.region.toLowerCase() === wanted ||
      (region.name || "").toLowerCase().includes(wanted) ||
      String(region.calling_code) === wanted,
  );
  page.region.replaceChildren(...shown.map((region) => option(region.region, regionLabel(region))));
  if (shown.some((region) => region.region === current)) {
    page.region.value = current;
    return false;
  }
  return shown.length > 0; // the choice changed to the first match
}

function showUserDetail() {
  const user = allUsers.find((candidate) => candidate.upn === page.user.value);
  page.userDetail.textContent = user
    ? `${user.upn}: usage location ${user.usage_location}, ` +
      (user.dial_plan ? `tenant plan ${user.dial_plan}` : "no assigned plan")
    : "";
}

async function normalize() {
  syncURL();
  const dialed = page.dialed.value;
  if (pending) pending.abort();
  if (!dialed.trim()) {
    showError("");
    clearAnswer();
    return;
  }
  const controller = new AbortController();
  pending = controller;
  const body = {
    dialed_number: dialed,
    ...target(),
    trace: true,
    tenant_scope_only: page.tenantScopeOnly.checked,
  };
  try {
    const result = await getJSON("/v1/normalize", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    if (controller !== pending) return;
    showError("");
    renderResult(result);
  } catch (error) {
    if (error.name === "AbortError") return;
    clearAnswer();
    showError(error.message);
  }
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(normalize, 60);
}

let planRequest = 0; // answers to an older choice are dropped

async function loadPlan() {
  showUserDetail();
  const ticket = ++planRequest;
  const chosen = target();
  const url = chosen.user
    ? `/v1/users/${encodeURIComponent(chosen.user)}/effective-dial-plan`
    : `/v1/regions/${encodeURIComponent(chosen.usage_location)}/effective-dial-plan` +
      (chosen.dial_plan ? `?dial_plan=${encodeURIComponent(chosen.dial_plan)}` : "");
  try {
    const plan = await getJSON(url);
    if (ticket !== planRequest) return;
    renderRules(plan);
    showError("");
  } catch (error) {
    if (ticket !== planRequest) return;
    page.rules.replaceChildren();
    showError(error.message);
  }
  await normalize();
}

function switchMode() {
  showMode();
  loadPlan();
}

function applyParams(params, users) {
  if (params.get("user") && users.some((user) => user.upn === params.get("user"))) {
    page.form.elements.mode.value = "user";
    page.user.value = params.get("user");
  } else if (params.get("location")) {
    page.form.elements.mode.value = "location";
    page.region.value = params.get("location").toUpperCase();
    const plan = params.get("plan") || "";
    if ([...page.dialPlan.options].some((choice) => choice.value === plan)) page.dialPlan.value = plan;
  }
  page.dialed.value = params.get("dialed") || "";
  page.tenantScopeOnly.checked = params.get("scope") === "tenant";
}

function showMode() {
  const byUser = mode() === "user";
  $("user-field").hidden = !byUser;
  $("region-field").hidden = byUser;
  $("plan-field").hidden = byUser;
}

async function start() {
  try {
    const [health, users, regions, plans] = await Promise.all([
      getJSON("/health"),
      getJSON("/v1/users"),
      getJSON("/v1/regions"),
      getJSON("/v1/dial-plans"),
    ]);
    $("tenant-name").textContent = health.tenant || "(unnamed)";
    allUsers = users;
    page.user.replaceChildren(
      ...users.map((user) => {
        // The option shows the address alone, so it fits; the line under the list says the rest.
        const element = option(user.upn, user.upn);
        element.title = `${user.upn} (${user.usage_location}${user.dial_plan ? ", " + user.dial_plan : ""})`;
        return element;
      }),
    );
    allRegions = regions;
    showRegions("");
    const withPlan = users.find((user) => user.dial_plan);
    page.region.value = withPlan ? withPlan.usage_location : "US";
    for (const plan of plans) {
      if (plan.scope !== "tenant-global") page.dialPlan.append(option(plan.identity, plan.identity));
    }
    if (!users.length) page.form.elements.mode.value = "location";
    applyParams(new URLSearchParams(location.search), users);
    showMode();
    await loadPlan();
  } catch (error) {
    showError(`The service did not answer: ${error.message}`);
  }
}

page.user.addEventListener("change", loadPlan);
page.region.addEventListener("change", loadPlan);
page.regionSearch.addEventListener("input", () => {
  if (showRegions(page.regionSearch.value)) loadPlan();
});
page.dialPlan.addEventListener("change", loadPlan);
for (const radio of page.form.elements.mode) radio.addEventListener("change", switchMode);
page.dialed.addEventListener("input", schedule);
page.tenantScopeOnly.addEventListener("change", normalize);
page.form.addEventListener("submit", (event) => {
  event.preventDefault();
  normalize();
});

start();
