// The snapshot form shows the figures the chosen account's platform counts (no Articles for Douyin):
// the other inputs are hidden and disabled, so that they are not sent either.
(function () {
  "use strict";
  function update(select) {
    var option = select.options[select.selectedIndex];
    var counts = option && option.dataset.counts ? option.dataset.counts.split(" ") : null;
    ["articles", "videos"].forEach(function (metric) {
      var row = document.querySelector(".form-row.field-" + metric);
      var input = document.getElementById("id_" + metric);
      if (!row || !input) return;
      var shown = counts === null || counts.indexOf(metric) !== -1;
      row.hidden = !shown;
      input.disabled = !shown;
    });
  }
  function start() {
    var select = document.getElementById("id_account");
    if (!select) return;
    select.addEventListener("change", function () { update(select); });
    update(select);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
