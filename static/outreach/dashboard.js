// Draws the dashboard's figures: each is a JSON script element the server built (outreach/charts.py).
(function () {
  "use strict";
  var script = document.currentScript;
  var locale = (script && script.dataset.locale) || "en";
  var config = {
    responsive: true,
    displaylogo: false,
    locale: locale,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
  };

  function draw() {
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      var figure = JSON.parse(document.getElementById(element.dataset.figure).textContent);
      Plotly.newPlot(element, figure.data, figure.layout, config);
    });
  }

  // Plotly redraws at the page's width before printing, so that charts fit the paper.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      if (element.data) Plotly.Plots.resize(element);
    });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
