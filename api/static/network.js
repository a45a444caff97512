// The network explorer (/network): draws the figure /network/figure answers and drills down on clicks and menus.
// The plot's data-people-allowed says whether the role may see people (the server checks it again).

const state = {level: "department", department: "", community: "", person: ""};
const div = document.getElementById("plot-network");
const peopleAllowed = div.dataset.peopleAllowed === "true";
const value = (id) => { const el = document.getElementById(id); return el ? el.value : ""; };

async function draw() {
  const query = new URLSearchParams({period: value("period"), level: state.level, color: value("color") || "department"});
  if (value("size")) query.set("size", value("size"));
  for (const key of ["department", "community", "person"]) if (state[key] !== "") query.set(key, state[key]);
  const answer = await fetch("/network/figure?" + query, {credentials: "same-origin"});
  const body = await answer.json();
  const status = document.getElementById("status");
  if (!answer.ok) { status.textContent = body.detail; status.className = "error"; return; }
  status.className = "note";
  status.textContent = `${body.nodes} ${body.level === "person" ? "people" : body.level + "s"}` + (body.focus ? ` · focus ${body.focus}` : "") + (body.note ? ` · ${body.note}` : "");
  div.dataset.level = body.level;
  div.dataset.focus = body.focus || "";
  await Plotly.react(div, body.figure.data, body.figure.layout, {responsive: true, displaylogo: false});
  div.dataset.ready = "1";
  if (!div.dataset.bound) {
    div.dataset.bound = "1";
    div.on("plotly_click", (event) => {
      const point = event.points[0];
      if (!point || point.customdata === undefined || !peopleAllowed) return;
      if (state.level === "department") { state.level = "person"; state.department = String(point.customdata); state.community = ""; state.person = ""; }
      else if (state.level === "community") { state.level = "person"; state.community = String(point.customdata); state.department = ""; state.person = ""; }
      else { state.person = String(point.customdata); }
      div.dataset.ready = ""; draw();
    });
  }
}

const redraw = () => { div.dataset.ready = ""; draw(); };
const reset = () => { state.level = value("level"); state.department = ""; state.community = ""; state.person = ""; redraw(); };
document.getElementById("level").onchange = reset;
document.getElementById("back").onclick = reset;
document.getElementById("period").onchange = redraw;
for (const id of ["color", "size"]) { const el = document.getElementById(id); if (el) el.onchange = redraw; }
const dept = document.getElementById("department");
if (dept) dept.onchange = () => { state.level = dept.value ? "person" : value("level"); state.department = dept.value; state.community = ""; state.person = ""; redraw(); };
const find = document.getElementById("find");
if (find) {
  const focus = () => { const q = value("search").trim(); if (!q) return; state.level = "person"; state.person = q; redraw(); };
  find.onclick = focus;
  document.getElementById("search").onkeydown = (e) => { if (e.key === "Enter") focus(); };
}
draw();
