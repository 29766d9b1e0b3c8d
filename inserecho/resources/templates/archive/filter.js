/* Filters of the "en cours" pages: no server needed, works from a folder or a USB stick.
   Each entry carries data-expires (last day shown) and one data-NAME attribute per filter
   holding space-separated values; an empty value matches every choice. The choice is kept
   in the address (#territoire=plaine-commune) so a filtered list can be shared. */
(function () {
  "use strict";
  var form = document.getElementById("filtres");
  var count = document.getElementById("compte");
  var none = document.getElementById("aucun");
  var entries = Array.prototype.slice.call(document.querySelectorAll("[data-expires]"));
  var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
  var now = new Date();
  var today = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function closing(deadline) {
    var days = Math.round((Date.parse(deadline) - Date.parse(today)) / 86400000);
    if (days === 0) { return "Clôture aujourd\u2019hui"; }
    if (days === 1) { return "Clôture demain"; }
    return "Clôture dans " + days + "\u00a0jours";
  }

  function matches(entry) {
    if (entry.getAttribute("data-expires") < today) { return false; }
    return selects.every(function (select) {
      var values = entry.getAttribute("data-" + select.name) || "";
      return !select.value || !values || values.split(" ").indexOf(select.value) >= 0;
    });
  }

  function remember() {
    var chosen = selects.filter(function (s) { return s.value; }).map(function (s) {
      return s.name + "=" + encodeURIComponent(s.value);
    });
    try {
      history.replaceState(null, "", chosen.length ? "#" + chosen.join("&") : location.pathname + location.search);
    } catch (ignored) { /* some browsers refuse it for file:// pages: the filter still works */ }
  }

  function apply() {
    var shown = 0;
    entries.forEach(function (entry) {
      var visible = matches(entry);
      entry.hidden = !visible;
      if (visible) { shown += 1; }
    });
    count.textContent = shown + " " + count.getAttribute(shown > 1 ? "data-plural" : "data-singular");
    none.hidden = shown > 0;
  }

  location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
    var parts = pair.split("=");
    var select = form.elements[parts[0]];
    if (select && parts.length === 2) { select.value = decodeURIComponent(parts[1]); }
  });
  selects.forEach(function (select) {
    if (select.selectedIndex < 0) { select.selectedIndex = 0; }
    select.addEventListener("change", function () { apply(); remember(); });
  });
  document.querySelectorAll("[data-deadline]").forEach(function (element) {
    var deadline = element.getAttribute("data-deadline");
    element.textContent = closing(deadline);
    element.className += Date.parse(deadline) - Date.parse(today) <= 7 * 86400000 ? " closing-soon" : "";
    element.hidden = false;
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
}());
