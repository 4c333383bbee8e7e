// The workbench: open a tenant file, edit a plan's rules in place, and see at once
// what each edit changes (before and after, for one dial string and a list), the
// lint findings and a suite's pass/fail; export the result. Every computation is
// a call to the JSON API (/v1/tenant-files, /v1/simulate, /v1/lint, /v1/suites);
// the service stores nothing. Values from files are put in the page as text only.
"use strict";

const $ = (id) => document.getElementById(id);

const PS_DEFAULT_PATTERN = "^(\\d{11})$"; // New-CsVoiceNormalizationRule's defaults
const PS_DEFAULT_TRANSLATION = "+$1";
const EXPECT_KEYS = ["translated_number", "final_number", "matching_rule", "call_type"];
const BUSY_RETRIES = 3; // times a request answered 503 "busy" is asked again

let base = null; // the tenant document as opened
let doc = null; // the edited tenant document
let suite = null; // {name, cases} of the loaded suite
let regions = [];
let timer = null;
let generation = 0; // answers to an older edit are dropped

function clone(value) {
  return JSON.parse(JSON.stringify(value));
}

function text(tag, content, className) {
  const element = document.createElement(tag);
  element.textContent = content;
  if (className) element.className = className;
  return element;
}

function option(value, label) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = label;
  return element;
}

// `wanted`: whether the answer is still wanted (a superseded recompute's is not).
async function api(url, body, wanted = () => true) {
  const options = body === undefined
    ? {}
    : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  let response = await fetch(url, options);
  // 503 "busy" means try again, not a wrong tenant: the what-if pool and the lint
  // slots are bounded, and an older edit's requests still running can fill them.
  // Shown as is, it left "–" after the edit until the next edit. Ask again after
  // the server's Retry-After, a few times, while the answer is still wanted.
  for (let retry = 0; response.status === 503 && retry < BUSY_RETRIES && wanted(); retry += 1) {
    const seconds = Number(response.headers.get("retry-after") || 1);
    await new Promise((resolve) => setTimeout(resolve, (Number.isFinite(seconds) ? seconds : 1) * 1000));
    if (!wanted()) break;
    response = await fetch(url, options);
  }
  let answer = null;
  try {
    answer = await response.json();
  } catch (_) {
    answer = { detail: `${response.status} ${response.statusText}` };
  }
  if (!response.ok) {
    const error = new Error(answer && answer.detail ? answer.detail : response.statusText);
    error.body = answer || {};
    throw error;
  }
  return answer;
}

function showMessage(id, message) {
  $(id).textContent = message || "";
  $(id).hidden = !message;
}

// --- the tenant ------------------------------------------------------------------

function plans() {
  return doc ? doc.dial_plans || [] : [];
}

function currentPlan() {
  return plans()[Number($("plan").value)] || null;
}

function basePlan(identity) {
  return (base.dial_plans || []).find((plan) => plan.identity.toLowerCase() === identity.toLowerCase());
}

function setDocument(tenant, label) {
  base = clone(tenant);
  doc = clone(tenant);
  const ruleCount = plans().reduce((sum, plan) => sum + (plan.rules || []).length, 0);
  const users = (doc.users || []).length;
  $("tenant-name").textContent = (doc.tenant && doc.tenant.name) || "(unnamed)";
  $("tenant-source").textContent = label ? `(${label})` : "";
  $("file-status").textContent =
    `${label}: ${plans().length} dial plan(s), ${ruleCount} rule(s), ${users} user(s)`;
  showMessage("file-error", "");
  fillTargets();
  $("plan").replaceChildren(...plans().map((plan, index) => option(String(index), plan.identity)));
  const chosen = currentTarget();
  const wanted = chosen.user
    ? (doc.users || []).find((user) => user.upn === chosen.user)?.dial_plan
    : chosen.dial_plan;
  const index = plans().findIndex((plan) => plan.identity === wanted);
  if (index >= 0) $("plan").value = String(index);
  renderEditor();
  schedule(0);
}

async function openFile(file) {
  try {
    const answer = await api("/v1/tenant-files/read", { file_name: file.name, text: await file.text() });
    setDocument(answer.tenant, `${file.name}, ${answer.format}`);
  } catch (error) {
    showMessage("file-error", `${file.name}: ${error.message}`);
  }
}

async function startFromServed() {
  try {
    const answer = await api("/v1/tenant-files/served");
    setDocument(answer.tenant, "the served tenant");
  } catch (error) {
    showMessage("file-error", `The service did not answer: ${error.message}`);
  }
}

async function exportAs(format) {
  try {
    const answer = await api("/v1/tenant-files/write", { tenant: doc, format });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([answer.text], { type: "text/plain;charset=utf-8" }));
    link.download = answer.file_name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    showMessage("file-error", "");
  } catch (error) {
    showMessage("file-error", `Export: ${error.message}`);
  }
}

// --- who dials ----------------------------------------------------------------

function mode() {
  return document.querySelector("input[name=mode]:checked").value;
}

function currentTarget() {
  if (mode() === "user") return { user: $("user").value };
  const chosen = { usage_location: $("region").value };
  if ($("target-plan").value) chosen.dial_plan = $("target-plan").value;
  return chosen;
}

function fillTargets() {
  const users = doc.users || [];
  const previous = $("user").value;
  $("user").replaceChildren(...users.map((user) => option(user.upn, user.upn)));
  const withPlan = users.find((user) => user.dial_plan);
  if (users.some((user) => user.upn === previous)) $("user").value = previous;
  else if (withPlan) $("user").value = withPlan.upn;
  $("target-plan").replaceChildren(
    option("", "Global (if the tenant has one)"),
    ...plans()
      .filter((plan) => plan.identity.toLowerCase() !== "global")
      .map((plan) => option(plan.identity, plan.identity)),
  );
  if (!users.length) document.querySelector("input[name=mode][value=location]").checked = true;
  showMode();
}

function showMode() {
  const byUser = mode() === "user";
  $("user-field").hidden = !byUser;
  $("region-field").hidden = byUser;
  $("target-plan-field").hidden = byUser;
}

// --- the rule editor ------------------------------------------------------------

function ruleState(rule, index, baseRules) {
  const before = baseRules.findIndex((candidate) => candidate.name === rule.name);
  if (before < 0) return "new";
  const old = baseRules[before];
  for (const key of ["pattern", "translation", "description"]) {
    if ((old[key] || "") !== (rule[key] || "")) return "changed";
  }
  if (Boolean(old.is_internal_extension) !== Boolean(rule.is_internal_extension)) return "changed";
  return before === index ? "" : "moved";
}

function input(value, field, index, label) {
  const element = document.createElement("input");
  element.type = "text";
  element.value = value || "";
  element.spellcheck = false;
  element.dataset.field = field;
  element.dataset.index = String(index);
  element.setAttribute("aria-label", label);
  return element;
}

function button(label, action, index, title) {
  const element = text("button", label);
  element.type = "button";
  element.dataset.action = action;
  element.dataset.index = String(index);
  element.title = title;
  element.setAttribute("aria-label", title);
  return element;
}

function renderEditor() {
  const plan = currentPlan();
  const body = $("rules-editor").querySelector("tbody");
  if (!plan) {
    body.replaceChildren();
    $("add-rule").disabled = true;
    return;
  }
  $("add-rule").disabled = false;
  plan.rules = plan.rules || [];
  const rows = plan.rules.map((rule, index) => {
    const row = document.createElement("tr");
    const cells = [
      text("td", String(index)),
      document.createElement("td"),
      document.createElement("td"),
      document.createElement("td"),
      document.createElement("td"),
      text("td", "", "state"),
      document.createElement("td"),
    ];
    cells[1].append(input(rule.name, "name", index, `name of rule ${index}`));
    cells[2].append(input(rule.pattern, "pattern", index, `pattern of rule ${rule.name}`));
    cells[3].append(input(rule.translation, "translation", index, `translation of rule ${rule.name}`));
    const flag = document.createElement("input");
    flag.type = "checkbox";
    flag.checked = Boolean(rule.is_internal_extension);
    flag.dataset.field = "is_internal_extension";
    flag.dataset.index = String(index);
    flag.setAttribute("aria-label", `rule ${rule.name} is an internal extension`);
    cells[4].append(flag);
    const moves = text("span", "", "moves");
    moves.append(
      button("↑", "up", index, `move rule ${rule.name} up`),
      button("↓", "down", index, `move rule ${rule.name} down`),
      button("✕", "remove", index, `remove rule ${rule.name}`),
    );
    cells[6].append(moves);
    ["#", "Name", "Pattern", "Translation", "Ext.", "State", "Move / remove"].forEach((label, column) => {
      cells[column].dataset.label = label;
    });
    row.append(...cells);
    return row;
  });
  body.replaceChildren(...rows);
  markStates();
}

function markStates() {
  const plan = currentPlan();
  if (!plan) return;
  const old = basePlan(plan.identity);
  const baseRules = old ? old.rules || [] : [];
  const rows = $("rules-editor").querySelector("tbody").children;
  plan.rules.forEach((rule, index) => {
    const state = ruleState(rule, index, baseRules);
    const row = rows[index];
    if (!row) return;
    row.className = state;
    row.dataset.rule = rule.name;
    row.querySelector(".state").textContent = state;
  });
  const kept = new Set(plan.rules.map((rule) => rule.name));
  const removed = baseRules.filter((rule) => !kept.has(rule.name)).map((rule) => rule.name);
  $("revert").title = removed.length ? `removed: ${removed.join(", ")}` : "";
}

function editRule(event) {
  const target = event.target;
  const plan = currentPlan();
  if (!plan || target.dataset.field === undefined) return;
  const rule = plan.rules[Number(target.dataset.index)];
  rule[target.dataset.field] = target.type === "checkbox" ? target.checked : target.value;
  markStates();
  schedule();
}

function ruleAction(event) {
  const target = event.target.closest("button[data-action]");
  const plan = currentPlan();
  if (!target || !plan) return;
  const index = Number(target.dataset.index);
  const rules = plan.rules;
  if (target.dataset.action === "remove") rules.splice(index, 1);
  if (target.dataset.action === "up" && index > 0) rules.splice(index - 1, 0, ...rules.splice(index, 1));
  if (target.dataset.action === "down" && index < rules.length - 1) {
    rules.splice(index + 1, 0, ...rules.splice(index, 1));
  }
  renderEditor();
  schedule();
}

function addRule() {
  const plan = currentPlan();
  if (!plan) return;
  const names = new Set(plan.rules.map((rule) => rule.name));
  let number = plan.rules.length + 1;
  while (names.has(`New-Rule-${number}`)) number += 1;
  plan.rules.push({
    name: `New-Rule-${number}`,
    description: "",
    pattern: PS_DEFAULT_PATTERN,
    translation: PS_DEFAULT_TRANSLATION,
    is_internal_extension: false,
  });
  renderEditor();
  schedule();
}

function revert() {
  doc = clone(base);
  renderEditor();
  schedule();
}

function markInvalid(body) {
  for (const element of $("rules-editor").querySelectorAll(".invalid")) element.classList.remove("invalid");
  const plan = currentPlan();
  if (!body || !plan || body.plan !== plan.identity || !body.rule) return;
  const index = plan.rules.findIndex((rule) => rule.name === body.rule);
  const field = $("rules-editor").querySelector(`input[data-index="${index}"][data-field="${body.field}"]`);
  if (field) field.classList.add("invalid");
}

// --- results ------------------------------------------------------------------

function dialStrings() {
  const lines = $("dial-list").value.split("\n").map((line) => line.trim()).filter(Boolean);
  return [...new Set(lines)];
}

function outcome(result) {
  return {
    translated_number: result.translated_number || "",
    final_number: result.final_number,
    matching_rule: result.matching_rule ? result.matching_rule.name : "",
    call_type: result.call_type,
  };
}

function differs(before, after) {
  const a = outcome(before);
  const b = outcome(after);
  return EXPECT_KEYS.some((key) => a[key] !== b[key]);
}

function summary(result) {
  const rule = result.matching_rule ? result.matching_rule.name : "no rule";
  return `${result.translated_number || "no rule matched"} (${rule}; dials ${result.final_number}, ${result.call_type})`;
}

function renderCompare(before, after) {
  const set = (id, value) => {
    $(id).textContent = value;
  };
  const rule = (result) =>
    `${result.matching_rule ? result.matching_rule.name : "no rule"} · dials ${result.final_number} · ${result.call_type}`;
  // One side may have failed (an edit that does not compile): the other is still shown.
  set("before-number", before ? before.translated_number || "no rule matched" : "–");
  set("after-number", after ? after.translated_number || "no rule matched" : "–");
  set("before-rule", before ? rule(before) : "");
  set("after-rule", after ? rule(after) : "");
  if (!before || !after) {
    $("compare").classList.remove("changed");
    $("compare-note").textContent = "";
    return;
  }
  const changed = differs(before, after);
  $("compare").classList.toggle("changed", changed);
  $("compare-note").textContent = changed ? "The edit changes this dial string." : "No change for this dial string.";
}

function renderList(strings, before, after) {
  const rows = strings.map((dialed, index) => {
    const row = document.createElement("tr");
    const old = before ? before[index] : null;
    const now = after ? after[index] : null;
    const changed = old && now && differs(old, now);
    row.className = changed ? "changed" : "";
    row.append(
      text("td", dialed),
      text("td", old ? summary(old) : "–"),
      text("td", now ? summary(now) : "–"),
      text("td", changed ? "changed" : ""),
    );
    return row;
  });
  $("list-results").querySelector("tbody").replaceChildren(...rows);
}

function renderFindings(answer, error) {
  const list = $("findings");
  if (error) {
    list.replaceChildren(text("li", error.message, "error"));
    $("lint-summary").textContent = "";
    return;
  }
  $("lint-summary").textContent = `(${answer.errors} error(s), ${answer.warnings} warning(s))`;
  list.replaceChildren(
    ...answer.findings.map((finding) => {
      const where = [finding.plan, finding.rule].filter(Boolean).join(" / ");
      return text("li", `${finding.severity} [${finding.code}] ${where}: ${finding.message}`, finding.severity);
    }),
  );
}

function suiteCases() {
  return suite.cases.map((entry) => {
    const item = { dialed_number: entry.dialed_number, tenant_scope_only: entry.tenant_scope_only };
    if (entry.user) item.user = entry.user;
    if (entry.usage_location) item.usage_location = entry.usage_location;
    if (entry.dial_plan) item.dial_plan = entry.dial_plan;
    return item;
  });
}

function renderSuite(answer, error) {
  const body = $("suite-results").querySelector("tbody");
  if (!suite) return;
  if (error) {
    showMessage("suite-error", error.message);
    body.replaceChildren();
    $("suite-summary").textContent = `(${suite.name})`;
    return;
  }
  showMessage("suite-error", "");
  let passed = 0;
  const rows = suite.cases.map((entry, index) => {
    const actual = outcome(answer.results[index]);
    const missed = Object.entries(entry.expect).filter(([key, value]) => actual[key] !== value);
    if (!missed.length) passed += 1;
    const row = document.createElement("tr");
    row.className = missed.length ? "fail" : "pass";
    row.append(
      text("td", `[${entry.index}] ${entry.name}`),
      text("td", missed.length ? "FAIL" : "PASS"),
      text("td", missed.map(([key, value]) => `${key}: expected ${value || "none"}, got ${actual[key] || "none"}`).join("; ")),
    );
    return row;
  });
  body.replaceChildren(...rows);
  $("suite-summary").textContent = `(${suite.name}: ${passed} passed, ${suite.cases.length - passed} failed)`;
}

async function recompute() {
  if (!doc) return;
  const ticket = ++generation;
  const dialed = $("dialed").value.trim();
  const strings = dialStrings();
  const who = currentTarget();
  const cases = [dialed, ...strings].filter(Boolean).map((value) => ({ dialed_number: value, ...who }));
  const none = Promise.resolve(null);
  const current = () => ticket === generation;
  const [before, after, findings, suiteAnswer] = await Promise.allSettled([
    cases.length ? api("/v1/simulate", { tenant: base, cases }, current) : none,
    cases.length ? api("/v1/simulate", { tenant: doc, cases }, current) : none,
    api("/v1/lint", doc, current),
    suite ? api("/v1/simulate", { tenant: doc, cases: suiteCases() }, current) : none,
  ]);
  if (ticket !== generation) return;
  const results = (settled) => (settled.status === "fulfilled" && settled.value ? settled.value.results : null);
  const old = results(before);
  const now = results(after);
  if (after.status === "rejected") {
    showMessage("edit-error", `After the edit: ${after.reason.message}`);
    markInvalid(after.reason.body);
  } else if (before.status === "rejected") {
    showMessage("edit-error", `Before the edit: ${before.reason.message}`);
    markInvalid(null);
  } else {
    showMessage("edit-error", "");
    markInvalid(null);
  }
  const offset = dialed ? 1 : 0;
  renderCompare(dialed && old ? old[0] : null, dialed && now ? now[0] : null);
  renderList(strings, old ? old.slice(offset) : null, now ? now.slice(offset) : null);
  renderFindings(findings.status === "fulfilled" ? findings.value : null, findings.status === "rejected" ? findings.reason : null);
  renderSuite(
    suiteAnswer.status === "fulfilled" ? suiteAnswer.value : null,
    suiteAnswer.status === "rejected" ? suiteAnswer.reason : null,
  );
  document.body.dataset.computed = String(ticket); // tests wait for a settled page
}

function schedule(delay = 250) {
  clearTimeout(timer);
  timer = setTimeout(recompute, delay);
}

async function loadSuite(file) {
  try {
    suite = await api("/v1/suites/parse", { file_name: file.name, text: await file.text() });
    const strings = [...new Set(suite.cases.map((entry) => entry.dialed_number))];
    $("dial-list").value = strings.join("\n");
    showMessage("suite-error", "");
    schedule(0);
  } catch (error) {
    suite = null;
    showMessage("suite-error", `${file.name}: ${error.message}`);
  }
}

// --- wiring ---------------------------------------------------------------------

async function start() {
  try {
    regions = await api("/v1/regions");
    $("region").replaceChildren(
      ...regions.map((region) =>
        option(region.region, `${region.name || region.region} — ${region.region} (+${region.calling_code})`),
      ),
    );
    $("region").value = "FR";
  } catch (error) {
    showMessage("file-error", `The service did not answer: ${error.message}`);
    return;
  }
  await startFromServed();
}

$("tenant-file").addEventListener("change", (event) => {
  const file = event.target.files[0];
  if (file) openFile(file);
  event.target.value = "";
});
const drop = $("drop-zone");
drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  const file = event.dataTransfer && event.dataTransfer.files[0];
  if (file) openFile(file);
});
$("served").addEventListener("click", startFromServed);
$("export-powershell").addEventListener("click", () => exportAs("powershell"));
$("export-toml").addEventListener("click", () => exportAs("toml"));
for (const radio of document.querySelectorAll("input[name=mode]")) {
  radio.addEventListener("change", () => {
    showMode();
    schedule(0);
  });
}
for (const id of ["user", "region", "target-plan"]) $(id).addEventListener("change", () => schedule(0));
$("dialed").addEventListener("input", () => schedule());
$("dial-list").addEventListener("input", () => schedule());
$("plan").addEventListener("change", renderEditor);
const editorBody = $("rules-editor").querySelector("tbody");
editorBody.addEventListener("input", editRule);
editorBody.addEventListener("click", ruleAction);
$("add-rule").addEventListener("click", addRule);
$("revert").addEventListener("click", revert);
$("suite-file").addEventListener("change", (event) => {
  const file = event.target.files[0];
  if (file) loadSuite(file);
  event.target.value = "";
});

start();
