// plotly.js with only the traces the dashboard draws (outreach/display/charts.py): scatter (in the core), bar
// and pie. Not the "basic" bundle: that also carries world-calendars for non-Gregorian axes, which no
// figure of ours uses.
var Plotly = require("plotly.js/lib/core");

Plotly.register([require("plotly.js/lib/bar"), require("plotly.js/lib/pie")]);

module.exports = Plotly;
