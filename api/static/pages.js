// What every page does once loaded (the security policy admits no inline script, so it lives here).

// Draw every server-rendered figure: <div class="plot" data-figure="...plotly JSON...">.
for (const div of document.querySelectorAll(".plot[data-figure]")) {
  const figure = JSON.parse(div.dataset.figure);
  Plotly.newPlot(div, figure.data, figure.layout, {responsive: true, displaylogo: false});
}

// A control marked data-submit-on-change (the period and filter menus) submits its form when it changes.
for (const control of document.querySelectorAll("[data-submit-on-change]")) {
  control.addEventListener("change", () => control.form.submit());
}
