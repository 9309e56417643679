// Draws the dashboard's figures (JSON script elements the server built, outreach/display/charts.py) as each chart
// comes near the screen, and builds the data table when it is opened. On a phone, loading plotly.js and drawing
// all four charts at once blocked the page for seconds before anyone could scroll to them, so plotly.js (our
// own static file, named by the charts section's data-plotly-src) is only fetched when the first chart is near.
// No inline script, eval or inline handler anywhere: the Content-Security-Policy allows scripts from 'self' only.
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
  // How near the screen a chart must come to be drawn: about a phone screen ahead, so that plotly.js (a few
  // hundred KB) has arrived by the time the chart scrolls in, and no chart far below the fold costs the load.
  var NEAR = "800px 0px";

  // A platform's colour comes from the database; a style attribute would be refused by the CSP, CSSOM is not.
  document.querySelectorAll("[data-platform-color]").forEach(function (card) {
    card.style.setProperty("--platform-color", card.dataset.platformColor);
  });

  var section = document.querySelector(".charts[data-plotly-src]");
  var loading = null;

  function loadScript(source) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement("script");
      element.src = source;
      // Run in the order inserted (plotly.js, then its locale), though both download at once.
      element.async = false;
      element.addEventListener("load", resolve);
      element.addEventListener("error", function () {
        reject(new Error("The charts could not be drawn: " + source + " did not load."));
      });
      document.head.appendChild(element);
    });
  }

  // plotly.js's own style rules as a file (bin/plotly-css): with this id and class, plotly.js leaves out the
  // <style> block it would inject, which the CSP refuses. Linked here, not in the head: nothing needs them
  // before a chart is drawn, and a stylesheet in the head would hold up the page's first paint.
  function loadStylesheet(source) {
    if (!source || document.getElementById("plotly.js-style-global")) return Promise.resolve();
    return new Promise(function (resolve) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.id = "plotly.js-style-global";
      link.className = "no-inline-styles";
      link.href = source;
      link.addEventListener("load", resolve);
      // Charts without their mode bar's styling are still charts.
      link.addEventListener("error", resolve);
      document.head.appendChild(link);
    });
  }

  function plotly() {
    if (!loading) {
      var sources = [section.dataset.plotlySrc];
      if (section.dataset.plotlyLocaleSrc) sources.push(section.dataset.plotlyLocaleSrc);
      var stylesheet = loadStylesheet(section.dataset.plotlyCssSrc);
      loading = Promise.all(sources.map(loadScript).concat([stylesheet])).then(function () {
        return window.Plotly;
      });
    }
    return loading;
  }

  function isDrawn(element) {
    return Boolean(element.data);
  }

  // Draws synchronously once plotly.js is here (Plotly.newPlot lays out and renders SVG charts before it
  // returns), which is what printing needs: the print dialog lays the page out right after beforeprint.
  function drawNow(element) {
    if (isDrawn(element)) return;
    var figure = JSON.parse(document.getElementById(element.dataset.figure).textContent);
    window.Plotly.newPlot(element, figure.data, figure.layout, config);
  }

  function draw(element) {
    return plotly().then(function () {
      drawNow(element);
    });
  }

  function charts() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
  }

  var observer = null;
  if (section) {
    if ("IntersectionObserver" in window) {
      observer = new IntersectionObserver(
        function (entries) {
          entries.forEach(function (entry) {
            if (entry.isIntersecting) {
              observer.unobserve(entry.target);
              draw(entry.target);
            }
          });
        },
        { rootMargin: NEAR },
      );
      charts().forEach(function (element) {
        observer.observe(element);
      });
    } else {
      charts().forEach(draw);
    }
  }

  // The table of the main chart's numbers is in the page as the server wrote it, inside a <noscript>: shown as
  // it is without JavaScript; with it, a <noscript>'s content is one text node, so its thousand cells cost the
  // page nothing until someone opens the table (or prints), when that markup becomes the table.
  function buildTable(details) {
    var source = details.querySelector("noscript.table-source");
    if (!source) return;
    var template = document.createElement("template");
    template.innerHTML = source.textContent;
    source.replaceWith(template.content);
  }

  document.querySelectorAll(".data-table details").forEach(function (details) {
    details.addEventListener("toggle", function () {
      if (details.open) buildTable(details);
    });
    if (details.open) buildTable(details);
  });

  // Paper is narrower than a screen (A4 and Letter at default margins leave about 720 CSS px), and the
  // print dialog fires this before it lays the page out, so there is nothing yet to measure.
  var PRINT_WIDTH = 680;

  // On paper, every chart is drawn (those never scrolled to as well), at the printable width, and the tables
  // are open (the print stylesheet shows them too); afterwards, both go back to how the person left them.
  // Kept across repeated beforeprint events (a print preview, then Chromium's own PDF), until afterprint.
  var opened = [];
  var printing = false;
  function beforePrint() {
    if (printing) return;
    printing = true;
    // The page was rendered at load; the printout says when it was printed.
    document.querySelectorAll("time.printed-at").forEach(function (time) {
      var now = new Date();
      time.dateTime = now.toISOString();
      time.textContent = now.toLocaleString(locale, { dateStyle: "long", timeStyle: "short" });
    });
    document.querySelectorAll(".data-table details").forEach(buildTable);
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      details.open = true;
      opened.push(details);
    });
    if (!section) return;
    function fitToPaper() {
      if (!printing) return;
      charts().forEach(function (element) {
        drawNow(element);
        window.Plotly.relayout(element, { width: Math.min(PRINT_WIDTH, element.clientWidth || PRINT_WIDTH) });
      });
    }
    // If plotly.js has not arrived yet (nothing was scrolled to), the charts follow as soon as it does: in
    // time for a PDF made from print media, and for a print preview that is opened again.
    if (window.Plotly) fitToPaper();
    else plotly().then(fitToPaper);
  }
  function afterPrint() {
    if (!printing) return;
    printing = false;
    opened.forEach(function (details) {
      details.open = false;
    });
    opened = [];
    charts()
      .filter(isDrawn)
      .forEach(function (element) {
        window.Plotly.relayout(element, { width: null, autosize: true });
      });
  }
  window.addEventListener("beforeprint", beforePrint);
  window.addEventListener("afterprint", afterPrint);
  // A PDF made by a headless browser switches to print media without a print dialog, so without these events.
  window.matchMedia("print").addEventListener("change", function (event) {
    if (event.matches) beforePrint();
    else afterPrint();
  });
})();
