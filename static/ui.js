/* Small page behaviours, loaded as a file so that a strict Content-Security-Policy
   (no inline script, no hx-on) allows them. Every page works without this file. */
(function () {
  "use strict";

  /* A form marked data-url-form shows the filters of the address bar. htmx keeps a page's
     HTML for Back, but a ticked box's state is a property, not markup: without this, Back
     restored the URL and the results with the boxes as they were first rendered. */
  function syncFormsFromUrl() {
    var params = new URLSearchParams(window.location.search);
    document.querySelectorAll("form[data-url-form]").forEach(function (form) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name) return;
        var values = params.getAll(el.name);
        if (el.type === "checkbox") {
          el.checked = values.indexOf(el.value) !== -1;
        } else if (el.type === "radio") {
          el.checked = values.length
            ? values.indexOf(el.value) !== -1
            : el.hasAttribute("data-default");
        } else if (el.tagName === "SELECT") {
          Array.prototype.forEach.call(el.options, function (option, index) {
            option.selected = values.length
              ? values.indexOf(option.value) !== -1
              : !el.multiple && index === 0;
          });
        } else if (el.type !== "submit" && el.type !== "button" && el.type !== "hidden") {
          el.value = values.length ? values[0] : "";
        }
      });
    });
  }
  document.addEventListener("htmx:historyRestore", syncFormsFromUrl);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) syncFormsFromUrl();
  });

  /* Picking a date means a custom period: tick "Custom" so the dates are used. */
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.matches || !el.matches("input[data-custom-date]")) return;
    var custom = el.form && el.form.querySelector("input[name=range][value=custom]");
    if (custom && el.value) custom.checked = true;
  }, true);

  /* A preset that applies as soon as it is picked (the Services page's period). */
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("input[data-submit-on-change]") && el.form) {
      el.form.requestSubmit();
    }
  });

  /* "/" focuses the search box (as on GitHub and Gmail), unless one is typing already. */
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var active = document.activeElement;
    if (active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName))) return;
    var target = document.querySelector("[data-slash-focus]");
    if (!target) return;
    event.preventDefault();
    target.focus();
    if (target.select) target.select();
  });

  /* A long list (countries) gets a filter box; without JavaScript the list itself is there. */
  function setUpListFilters(root) {
    root.querySelectorAll("input[data-filters]").forEach(function (box) {
      var list = document.getElementById(box.getAttribute("data-filters"));
      if (!list || box.dataset.ready) return;
      box.dataset.ready = "1";
      box.hidden = false;
      box.addEventListener("input", function () {
        var needle = box.value.trim().toLowerCase();
        Array.prototype.forEach.call(list.options, function (option) {
          var text = (option.textContent + " " + option.value).toLowerCase();
          // Chosen entries stay visible, so one can see (and untick) them.
          option.hidden = needle !== "" && !option.selected && text.indexOf(needle) === -1;
        });
      });
      // The filter box is not a filter of the list itself: keep it out of the query.
      box.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault();
      });
    });
  }

  /* Filters fold behind a "Filters" button on a phone; open by default for no-JS. */
  function foldOnNarrow(root) {
    if (!window.matchMedia("(max-width: 600px)").matches) return;
    root.querySelectorAll("details[data-fold-narrow]").forEach(function (details) {
      if (!details.dataset.folded) {
        details.dataset.folded = "1";
        details.open = false;
      }
    });
  }

  function ready() {
    setUpListFilters(document);
    foldOnNarrow(document);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
  document.addEventListener("htmx:historyRestore", ready);
})();
