// Accessibility fixes for markup the theme and the widget manager generate (tools/site/site_fixes.py;
// checked by axe-core in tests/test_site_a11y.py).
(function () {
  "use strict";

  // The theme's search buttons are labelled "Search" but also show "Ctrl + K": a name that
  // leaves out visible text confuses speech-input users ("click Search Ctrl K"). Name them by
  // their content and announce the shortcut. The colour-mode button's icons are decorative
  // (the button is labelled "Color mode"), so screen readers skip them.
  function fixTheme() {
    // The book's logo and title at the top of the sidebar sit outside every landmark, so
    // screen-reader users who move by landmarks skip it: make it a named region.
    document
      .querySelectorAll(".sidebar-primary-items__start > .sidebar-primary-item:first-child")
      .forEach(function (item) {
        var landmarks = "nav, header, main, aside, footer, [role=navigation], [role=banner], " +
          "[role=main], [role=complementary], [role=contentinfo], [role=region]";
        if (item.closest(landmarks)) return;
        item.setAttribute("role", "region");
        item.setAttribute("aria-label", "Book title");
      });
    document.querySelectorAll("button.search-button__button[aria-label]").forEach(function (b) {
      b.removeAttribute("aria-label");
      b.setAttribute("aria-keyshortcuts", "Control+K");
    });
    // Font Awesome may already have replaced the <i> icons by <svg> with a <title>.
    document.querySelectorAll(".theme-switch-button i, .theme-switch-button svg").forEach(
      function (icon) {
        icon.setAttribute("aria-hidden", "true");
        icon.removeAttribute("title");
        icon.removeAttribute("role");
        icon.querySelectorAll("title").forEach(function (title) {
          title.remove();
        });
      }
    );
  }

  function sliderSummary(root) {
    return Array.prototype.map
      .call(root.querySelectorAll(".widget-slider, .widget-dropdown"), function (control) {
        var label = control.querySelector(".widget-label");
        var readout = control.querySelector(".widget-readout");
        var select = control.querySelector("select");
        var value = readout ? readout.textContent : select ? select.value : "";
        return label ? (label.textContent.trim() + " " + value.trim()).trim() : "";
      })
      .filter(Boolean)
      .join(", ");
  }

  // The widget manager draws sliders as noUiSlider handles (role="slider") with no accessible
  // name: give each the text of its widget's label. Plots the widgets draw have no alt text:
  // describe them by the settings they were drawn with.
  function fixWidgets(scope) {
    scope.querySelectorAll(".widget-slider").forEach(function (slider) {
      var label = slider.querySelector(".widget-label");
      var name = label ? label.textContent.trim() : "";
      if (!name) return;
      slider.querySelectorAll('[role="slider"]').forEach(function (handle) {
        if (!handle.getAttribute("aria-label")) handle.setAttribute("aria-label", name);
      });
    });
    scope.querySelectorAll(".widget-subarea").forEach(function (area) {
      var images = area.querySelectorAll(".widget-output img");
      if (!images.length) return;
      var settings = sliderSummary(area);
      images.forEach(function (img) {
        if (img.getAttribute("alt")) return;
        img.setAttribute(
          "alt",
          "Plot drawn by the interactive widget" + (settings ? " for " + settings : "") + "."
        );
      });
    });
  }

  function start() {
    fixTheme();
    fixWidgets(document);
    var pending = false;
    new MutationObserver(function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        fixWidgets(document);
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
