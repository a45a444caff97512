// The network explorer (/network): draws the figure /network/figure answers and drills down on clicks and menus.
// The plot's data-people-allowed says whether the role may see people (the server checks it again).
// A failed request clears the plot and says what went wrong (orgnet.problem in pages.js): no stale graph stays up.

const state = {level: "group", group: "", community: "", person: ""};
const div = document.getElementById("plot-network");
const peopleAllowed = div.dataset.peopleAllowed === "true";
const status = document.getElementById("status");
// The group menu (roles that see people): the groups of the current grouping and period the view draws.
const groupMenu = document.getElementById("group");
const groupLabel = document.getElementById("group-label");
const value = (id) => { const el = document.getElementById(id); return el ? el.value : ""; };
let asked = 0;

function say(text, isError) {
  status.textContent = text;
  status.className = isError ? "error" : "note";
}

function fillMenu(menu, values, chosen, text) {
  // A menu rebuilt only when what it offers changed, then set to `chosen`.
  if (Array.from(menu.options, (option) => option.value).join("\n") !== values.join("\n")) {
    menu.replaceChildren(...values.map((item) => {
      const option = document.createElement("option");
      option.value = item;
      option.textContent = text(item);
      return option;
    }));
  }
  menu.value = values.includes(chosen) ? chosen : "";
}

function fillGroupMenu(by, groups) {
  // Rebuilt when the grouping or the period changes what there is to open; the open group stays chosen.
  if (groupLabel) groupLabel.textContent = by;
  fillMenu(groupMenu, ["", ...groups], state.group, (group) => group || "(click a group)");
}

async function draw() {
  const query = new URLSearchParams({period: value("period"), level: state.level, color: value("color") || "group", by: value("by") || "department"});
  if (value("size")) query.set("size", value("size"));
  for (const key of ["group", "community", "person"]) if (state[key] !== "") query.set(key, state[key]);
  const mine = ++asked;
  div.dataset.ready = "";
  div.dataset.error = "";
  say("loading…", false);
  const answer = await orgnet.fetchJSON("/network/figure?" + query);
  if (mine !== asked) return;  // a later request replaced this one
  if (!answer.ok) {
    Plotly.purge(div);
    div.dataset.level = "";
    div.dataset.focus = "";
    div.dataset.error = String(answer.status);
    say(answer.problem, true);
    div.dataset.ready = "1";
    return;
  }
  const body = answer.body;
  // The server may show another grouping than asked (a period not analysed by it) and then the period's groups.
  fillMenu(document.getElementById("by"), body.groupings && body.groupings.length ? body.groupings : [body.by], body.by, (g) => g);
  if (colorOption) colorOption.textContent = body.by;
  if (body.level !== state.level) {
    // The server showed the period's groups instead of a group it lacks: the page says what is drawn.
    state.level = body.level; state.group = "";
    const level = document.getElementById("level");
    if (body.level !== "person") level.value = body.level;
  }
  if (groupMenu) fillGroupMenu(body.by, body.groups || []);
  say(`${body.nodes} ${{person: "people", group: body.by === "department" ? "departments" : `groups of ${body.by}`, community: "communities"}[body.level]}` + (state.group ? ` · ${body.by} ${state.group}` : "") + (body.focus ? ` · focus ${body.focus_label && body.focus_label !== body.focus ? `${body.focus_label} (${body.focus})` : body.focus}` : "") + (body.note ? ` · ${body.note}` : "") +
      (body.level !== "person" ? (peopleAllowed ? " · click a group to see its people" : ` · your role (${div.dataset.role}) sees groups only: clicking a group shows no people`) : ""), false);
  div.dataset.level = body.level;
  div.dataset.focus = body.focus || "";
  await Plotly.react(div, body.figure.data, body.figure.layout, {responsive: true, displaylogo: false});
  div.dataset.ready = "1";
  if (!div.dataset.bound) {
    div.dataset.bound = "1";
    div.on("plotly_click", (event) => {
      const point = event.points[0];
      if (!point || point.customdata === undefined) return;
      if (!peopleAllowed) {
        say(`Your role (${div.dataset.role}) may not see people, so a group cannot be opened; the groups and their ties are all it shows.`, true);
        return;
      }
      const color = document.getElementById("color");
      if (state.level === "group") {
        // The group opens in its own colour: its people are coloured by the same grouping.
        state.level = "person"; state.group = String(point.customdata); state.community = ""; state.person = "";
        if (color) color.value = "group";
        if (groupMenu) groupMenu.value = state.group;
      }
      else if (state.level === "community") {
        state.level = "person"; state.community = String(point.customdata); state.group = ""; state.person = "";
        if (color) color.value = "community";
      }
      else { state.person = String(point.customdata); }
      draw();
    });
  }
}

const colorOption = document.querySelector("#color option[value='group']");
const reset = () => {
  state.level = value("level"); state.group = ""; state.community = ""; state.person = "";
  if (groupMenu) groupMenu.value = "";
  if (colorOption) colorOption.textContent = value("by") || "department";
  draw();
};
document.getElementById("level").onchange = reset;
document.getElementById("by").onchange = reset;
document.getElementById("back").onclick = reset;
document.getElementById("period").onchange = draw;
for (const id of ["color", "size"]) { const el = document.getElementById(id); if (el) el.onchange = draw; }
if (groupMenu) groupMenu.onchange = () => {
  state.level = groupMenu.value ? "person" : value("level"); state.group = groupMenu.value; state.community = ""; state.person = "";
  const color = document.getElementById("color");
  if (color && groupMenu.value) color.value = "group";
  draw();
};
const find = document.getElementById("find");
if (find) {
  const focus = () => {
    const q = value("search").trim();
    if (!q) { say("Type a name or an id to focus on.", true); return; }
    state.level = "person"; state.person = q; draw();
  };
  find.onclick = focus;
  document.getElementById("search").onkeydown = (e) => { if (e.key === "Enter") focus(); };
}
draw();
