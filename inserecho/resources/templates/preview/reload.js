/* Reload when the server has rebuilt the email (long poll on /__version);
   keep the chosen width and the scroll position across reloads. */
(function () {
  "use strict";
  var version = document.body.getAttribute("data-version");
  var frame = document.getElementById("courriel");
  var status = document.getElementById("etat");
  var shownWidth = document.getElementById("largeur-affichee");
  var store = window.sessionStorage;

  function fit() {
    var page = frame.contentDocument && frame.contentDocument.documentElement;
    if (!page) { return; }
    frame.style.height = "200px";
    frame.style.height = page.scrollHeight + "px";
  }

  function setWidth(width) {
    frame.width = width;
    shownWidth.textContent = width + "\u00a0px de large";
    store.setItem("inserecho-largeur", width);
    fit();
  }

  if (frame) {
    var saved = store.getItem("inserecho-largeur") || "600";
    document.querySelectorAll("input[name=largeur]").forEach(function (radio) {
      radio.checked = radio.value === saved;
      radio.addEventListener("change", function () { setWidth(radio.value); });
    });
    frame.addEventListener("load", function () {
      setWidth(store.getItem("inserecho-largeur") || "600");
      window.scrollTo(0, Number(store.getItem("inserecho-defilement") || 0));
    });
  }

  function poll() {
    fetch("/__version?depuis=" + version, { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (String(data.version) !== version) {
          store.setItem("inserecho-defilement", String(window.scrollY));
          location.reload();
        } else {
          poll();
        }
      })
      .catch(function () {  // server stopped: say so, and come back when it is restarted
        status.textContent = "Aperçu arrêté : relancez « inserecho preview », la page se rechargera.";
        setTimeout(poll, 2000);
      });
  }
  poll();
}());
