/* servicelab — citizen journey enhancements. Every page works without this file:
   - show_if: fields whose condition is in the same step are hidden until it is met
     (the server ignores them while hidden, with or without this script);
   - kiosk: after a few idle minutes, warn, then end the trial so the next person sees nothing.
   No inline code, no eval: the page's CSP allows only scripts from this origin. */
(function () {
  "use strict";
  if (window.servicelabCitizen) { return; }
  window.servicelabCitizen = true;
  document.documentElement.classList.add("js");

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (e) {
      return "";
    }
  }

  function announce(text) {
    var region = document.getElementById("annonce");
    if (region) { region.textContent = text; }
  }

  /* --- show_if ---------------------------------------------------------------------------- */

  function chosenValues(form, name) {
    var inputs = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    if (!inputs.length) { return null; }
    var values = [];
    inputs.forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) { values.push(input.value); }
      } else if (input.value) {
        values.push(input.value.trim());
      }
    });
    return values;
  }

  function applyConditions(root, speak) {
    root.querySelectorAll("[data-show-if]").forEach(function (field) {
      var form = field.closest("form");
      if (!form) { return; }
      var values = chosenValues(form, field.getAttribute("data-show-if"));
      if (values === null) { return; } /* condition on an earlier step: the server decided */
      var accepted = [];
      try { accepted = JSON.parse(field.getAttribute("data-show-if-values") || "[]"); } catch (e) { accepted = []; }
      var show = values.some(function (value) { return accepted.indexOf(value) !== -1; });
      var box = field.closest("[data-conditional]") || field;
      var wasHidden = box.hidden;
      box.hidden = !show;
      if (speak && show && wasHidden) {
        var label = field.querySelector("legend, label, p");
        announce((document.documentElement.lang === "en" ? "New question: " : "Nouvelle question : ") +
                 (label ? label.textContent.replace(/\s+/g, " ").trim() : ""));
      }
    });
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form");
    if (form) { applyConditions(form, true); }
  });
  document.addEventListener("input", function (event) {
    if (event.target.type === "text") {
      var form = event.target.closest("form");
      if (form) { applyConditions(form, false); }
    }
  });

  /* --- kiosk inactivity ------------------------------------------------------------------- */

  function kiosk() {
    var box = document.querySelector("[data-kiosk-idle]");
    if (!box || box.getAttribute("data-kiosk-ready")) { return; }
    box.setAttribute("data-kiosk-ready", "1");
    var idle = parseInt(box.getAttribute("data-kiosk-idle"), 10) * 1000;
    var warnBefore = Math.min(60000, idle / 2);
    var endUrl = box.getAttribute("data-kiosk-end");
    var pingUrl = box.getAttribute("data-kiosk-ping");
    var warning = document.getElementById("kiosk-warning");
    var last = Date.now();
    var lastPing = Date.now();
    var leaving = false;

    function activity() {
      last = Date.now();
      if (warning && !warning.hidden) { warning.hidden = true; }
      if (pingUrl && Date.now() - lastPing > 60000) {
        lastPing = Date.now();
        fetch(pingUrl, { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrfToken() } });
      }
    }

    function leave() {
      leaving = true;
      var form = document.createElement("form");
      form.method = "post";
      form.action = endUrl;
      [["csrf_token", csrfToken()], ["motif", "inactivite"]].forEach(function (pair) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = pair[0];
        input.value = pair[1];
        form.appendChild(input);
      });
      document.body.appendChild(form);
      form.submit();
    }

    ["keydown", "pointerdown", "input", "touchstart", "wheel"].forEach(function (name) {
      document.addEventListener(name, activity, { passive: true });
    });
    document.body.addEventListener("htmx:afterRequest", function () { last = lastPing = Date.now(); });
    var stay = document.getElementById("kiosk-stay");
    if (stay) { stay.addEventListener("click", activity); }
    window.setInterval(function () {
      var quiet = Date.now() - last;
      if (leaving) { return; }
      if (quiet >= idle) {
        leave();
      } else if (quiet >= idle - warnBefore && warning && warning.hidden) {
        warning.hidden = false;
        if (stay) { stay.focus(); }
      }
    }, 1000);
  }

  function start() {
    applyConditions(document, false);
    kiosk();
    document.body.addEventListener("htmx:load", function (event) {
      applyConditions(event.detail && event.detail.elt && event.detail.elt.querySelectorAll ? event.detail.elt : document, false);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
