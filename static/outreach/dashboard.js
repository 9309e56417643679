// Draws the dashboard's figures: each is a JSON script element the server built (outreach/display/charts.py).
(function () {
  "use strict";
  var script = document.currentScript;
  var locale = (script && script.dataset.locale) || "en";
  var config = {
    responsive: true,
    displaylogo: false,
    locale: locale,
    // Nothing leaves the site: plotly.js 4 offers "Share chart..." (sendChartToCloud), which posts the
    // chart's data to Plotly's cloud. No button for it, and no address to send to should one appear.
    showSendToCloud: false,
    plotlyServerURL: "",
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines", "sendChartToCloud"],
  };

  function draw() {
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      var figure = JSON.parse(document.getElementById(element.dataset.figure).textContent);
      Plotly.newPlot(element, figure.data, figure.layout, config);
    });
  }

  function charts() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-figure]"), function (element) {
      return element.data;
    });
  }

  // Paper is narrower than a screen (A4 and Letter at default margins leave about 720 CSS px), and the
  // print dialog fires this before it lays the page out, so there is nothing yet to measure.
  var PRINT_WIDTH = 680;

  // On paper, the tables are open (the print stylesheet shows them too) and the charts are drawn at the
  // printable width; afterwards, both go back to how the person left them.
  // Kept across repeated beforeprint events (a print preview, then Chromium's own PDF), until afterprint.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    // The page was rendered at load; the printout says when it was printed.
    document.querySelectorAll("time.printed-at").forEach(function (time) {
      var now = new Date();
      time.dateTime = now.toISOString();
      time.textContent = now.toLocaleString(locale, { dateStyle: "long", timeStyle: "short" });
    });
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      details.open = true;
      opened.push(details);
    });
    charts().forEach(function (element) {
      Plotly.relayout(element, { width: Math.min(PRINT_WIDTH, element.clientWidth || PRINT_WIDTH) });
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) {
      details.open = false;
    });
    opened = [];
    charts().forEach(function (element) {
      Plotly.relayout(element, { width: null, autosize: true });
    });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
