// What every page does once loaded (the security policy admits no inline script, so it lives here).

// What the pages' scripts share: a fetch of JSON that always ends in words.
window.orgnet = {
  // A JSON error body ({"error", "detail"}) in words: a 422's list of problems becomes "where: why" lines.
  describe(status, body) {
    const detail = body && body.detail;
    let words;
    if (Array.isArray(detail)) words = detail.map((p) => `${(p.loc || []).filter((l) => l !== "query").join(".")}: ${p.msg}`).join("; ");
    else if (typeof detail === "string") words = detail;
    else words = "no explanation came with it";
    if (status === 401) return `Your session has ended: log in again (${words}).`;
    return `Error ${status}: ${words}.`;
  },
  // GET url as JSON: {ok, status, body, problem}; problem is a sentence for any failure (network, status, not JSON).
  async fetchJSON(url) {
    let answer;
    try {
      answer = await fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}});
    } catch (error) {
      return {ok: false, status: 0, body: null, problem: `orgnet could not be reached (${error.message}); check that the server is running.`};
    }
    let body = null;
    try {
      body = await answer.json();
    } catch (error) {
      return {ok: false, status: answer.status, body: null, problem: `Error ${answer.status}: the server's answer was not JSON.`};
    }
    return {ok: answer.ok, status: answer.status, body, problem: answer.ok ? "" : orgnet.describe(answer.status, body)};
  },
};

// Draw every server-rendered figure: <div class="plot" data-figure="...plotly JSON...">.
for (const div of document.querySelectorAll(".plot[data-figure]")) {
  let figure;
  try {
    figure = JSON.parse(div.dataset.figure);
  } catch (error) {
    div.textContent = `This figure could not be read (${error.message}).`;
    div.className = "plot error";
    continue;
  }
  Plotly.newPlot(div, figure.data, figure.layout, {responsive: true, displaylogo: false});
}

// A control marked data-submit-on-change (the period and filter menus) submits its form when it changes.
for (const control of document.querySelectorAll("[data-submit-on-change]")) {
  control.addEventListener("change", () => control.form.submit());
}
