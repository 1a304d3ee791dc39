// flagcore admin UI: progressive help only; every form works without this script.
(function () {
  "use strict";

  // Live sum of the variant weights, next to the "must sum to 100" rule.
  function updateSum() {
    var out = document.getElementById("variant-sum");
    if (!out) { return; }
    var total = 0, any = false;
    document.querySelectorAll("input.weight").forEach(function (input) {
      var row = input.closest(".variant");
      var key = row ? row.querySelector("input[name$='.key']") : null;
      if (!key || !key.value.trim()) { return; }
      any = true;
      var value = parseFloat(input.value || "0");
      if (!isNaN(value)) { total += value; }
    });
    total = Math.round(total * 100) / 100;
    out.textContent = any ? total + "%" : "–";
    out.className = !any ? "" : (total === 100 ? "sum-ok" : "sum-bad");
  }

  // JSON payloads: say at once when a payload does not parse (the server checks again).
  function checkJson(area) {
    var message = area.parentNode.querySelector(".json-check");
    if (!message) {
      message = document.createElement("p");
      message.className = "field-error json-check";
      message.setAttribute("aria-live", "polite");
      area.parentNode.appendChild(message);
    }
    var text = area.value.trim();
    var ok = true;
    if (text) { try { JSON.parse(text); } catch (e) { ok = false; } }
    message.textContent = ok ? "" : "Not valid JSON yet.";
    if (ok) { area.removeAttribute("aria-invalid"); } else { area.setAttribute("aria-invalid", "true"); }
  }

  // Suggest cohort ids for a cohort condition's value, flag ids for a flag dependency's key.
  function suggest(select) {
    var row = select.closest(".row");
    if (!row) { return; }
    var key = row.querySelector("input[name$='.key']");
    var value = row.querySelector("input[name$='.value']");
    if (key) { if (select.value === "flag") { key.setAttribute("list", "flag-ids"); } else { key.removeAttribute("list"); } }
    if (value) { if (select.value === "cohort") { value.setAttribute("list", "cohort-ids"); } else { value.removeAttribute("list"); } }
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("select[name$='.type']")) { suggest(event.target); }
  });

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.matches("input.weight, .variant input[name$='.key']")) { updateSum(); }
    if (target.matches("textarea.json")) { checkJson(target); }
  });
  document.addEventListener("DOMContentLoaded", updateSum);
})();
